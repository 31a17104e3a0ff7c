"""The claim contract (shared/contract/README.md) in its three forms: pydantic JSON models
(schema), flat columns (frames: claims + lines frames; columns: numpy column tables), and
data set folders on disk (dataset). Built on reference/ only.
"""
