"""How to read one table's files: one declared object, shared by the CLI, uploads and imports.

A project declares it per table in ``cxpulse.toml``, either under ``[tables.NAME.read]`` or as
flat keys of ``[tables.NAME]``; ``cxpulse load`` options and presets set the same fields.
Nothing here is guessed silently: ``None`` means "detect", and a detection that cannot decide
is refused with a message naming the field to set.

>>> opts = ReadOptions.model_validate({"decimal": ",", "date_format": "%d/%m/%Y"})
>>> (opts.decimal, opts.thousands_for(opts.decimal))
(',', '.')
>>> ReadOptions().merged(ReadOptions(delimiter=";")).delimiter
';'
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cxpulse.errors import InvalidValueError

AttributeType = Literal["string", "int", "float", "bool", "date", "timestamp"]
ATTRIBUTE_TYPES: tuple[str, ...] = ("string", "int", "float", "bool", "date", "timestamp")


class QuestionColumn(BaseModel):
    """One question column of a wide survey export (one column per question)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["nps", "csat", "ces"] = Field(description="survey kind of the question")
    touchpoint: str | None = Field(default=None, description="touchpoint stored with the answer")


class Reshape(BaseModel):
    """Wide-to-long: each declared question column becomes one answer row."""

    model_config = ConfigDict(extra="forbid")
    questions: dict[str, QuestionColumn] = Field(
        description="column of the file -> its kind (and touchpoint); one row per answer"
    )
    id_column: str | None = Field(
        default=None,
        description="column identifying the submission; the answer id is '<id>:<question>'",
    )


class Aggregate(BaseModel):
    """Line-level orders (one row per product) summed to one row per order."""

    model_config = ConfigDict(extra="forbid")
    quantity: str | None = Field(default=None, description="column of the line's quantity")
    unit_price: str | None = Field(default=None, description="column of the unit price")
    amount: str | None = Field(default=None, description="column of the line's amount")


class ReadOptions(BaseModel):
    """Parsing and mapping of one table's source files."""

    model_config = ConfigDict(extra="forbid")

    # ---- parsing -----------------------------------------------------------------------
    encoding: str | None = Field(
        default=None,
        description="text encoding of CSV files (utf-8, cp1252, latin-1...); default: detected",
    )
    delimiter: str | None = Field(
        default=None, description="CSV field separator (',', ';', tab...); default: detected"
    )
    decimal: Literal[".", ","] | None = Field(
        default=None, description="decimal separator of numbers; default: detected per column"
    )
    thousands: Literal[".", ",", " ", "'", ""] | None = Field(
        default=None,
        description="thousands separator ('' = none); default: the other of '.' and ','",
    )
    date_format: list[str] | None = Field(
        default=None,
        description="strftime formats of dates, tried in order (e.g. '%d/%m/%Y'); default: ISO",
    )
    timezone: str | None = Field(
        default=None,
        description="time zone of timestamps without an offset (e.g. 'Europe/Madrid'); "
        "default: UTC. Offsets in the file are always honoured",
    )
    sheet: str | int | None = Field(
        default=None, description="Excel sheet: name or 1-based position; default: the first"
    )
    header_row: int = Field(default=1, ge=1, description="row holding the column names")
    skip_rows: int = Field(
        default=0,
        ge=0,
        description="rows right after the header that are not data (e.g. question texts)",
    )
    na_values: dict[str, list[str]] = Field(
        default_factory=dict,
        description="values read as missing: per column, or '*' for every column "
        "(e.g. score = ['0'] when 0 means 'not applicable')",
    )

    # ---- mapping -----------------------------------------------------------------------
    columns: dict[str, str] = Field(
        default_factory=dict, description="your column name -> canonical column name"
    )
    key_from: list[str] = Field(
        default_factory=list,
        description="when the file has no id column: the table's key made of these columns "
        "joined with '|' (e.g. a form's timestamp and e-mail)",
    )
    constants: dict[str, str] = Field(
        default_factory=dict, description="column -> value set on every row (e.g. kind = 'csat')"
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="column -> {value in the file: stored value} (e.g. 'Month-to-month' = "
        "'monthly')",
    )
    attributes: dict[str, AttributeType] = Field(
        default_factory=dict,
        description="extra columns kept as typed attributes: name -> string|int|float|bool|"
        "date|timestamp",
    )
    keep_extra: bool = Field(
        default=False, description="keep every unmapped column as an attribute (types inferred)"
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="columns of the file never kept as attributes (e.g. the churn label)",
    )
    snapshot_date: str | None = Field(
        default=None,
        description="accounts only: also store the attributes as known on this date "
        "(accounts_snapshots), for point-in-time health signals",
    )
    reshape: Reshape | None = Field(default=None, description="wide survey export to answers")
    aggregate: Aggregate | None = Field(
        default=None, description="orders: sum line-level rows to one row per order_id"
    )

    @field_validator("date_format", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("na_values", mode="before")
    @classmethod
    def _na_everywhere(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return {"*": [str(v) for v in value]}
        if isinstance(value, dict):
            return {
                k: [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])]
                for k, v in value.items()
            }
        return value

    @field_validator("constants", mode="before")
    @classmethod
    def _constants_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _value_maps_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {col: {str(k): str(v) for k, v in (m or {}).items()} for col, m in value.items()}
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is None:
            return None
        named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
        value = named.get(value.lower(), value)
        if len(value) != 1:
            raise InvalidValueError(key="data.error.delimiter", values={"value": value})
        return value

    def thousands_for(self, decimal: str) -> str:
        """The thousands separator in use once the decimal separator is known."""
        if self.thousands is not None:
            return self.thousands
        return "." if decimal == "," else ","

    def merged(self, override: ReadOptions | None) -> ReadOptions:
        """These options with the fields ``override`` sets explicitly replaced (maps merged)."""
        if override is None:
            return self
        data = self.model_dump()
        for name in override.model_fields_set:
            value = getattr(override, name)
            if isinstance(value, dict) and isinstance(data.get(name), dict):
                data[name] = {**data[name], **_dump(value)}
            else:
                data[name] = _dump(value)
        return ReadOptions.model_validate(data)


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


READ_FIELDS = tuple(ReadOptions.model_fields)


class TableBinding(ReadOptions):
    """``[tables.NAME]``: a default file plus its read options (flat or under ``read``)."""

    path: str | None = Field(default=None, description="default file to load for this table")
    preset: str | None = Field(default=None, description="preset applied before these options")

    @model_validator(mode="before")
    @classmethod
    def _flatten_read(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("read"), dict):
            data = dict(data)
            read = data.pop("read")
            clash = sorted(set(read) & set(data))
            if clash:
                raise InvalidValueError(
                    key="data.error.read_clash", values={"keys": ", ".join(clash)}
                )
            data.update(read)
        return data

    def options(self) -> ReadOptions:
        """The read options part of the binding."""
        return ReadOptions.model_validate(
            {k: v for k, v in self.model_dump(exclude_unset=True).items() if k in READ_FIELDS}
        )
