"""The one base model of every file format warroom reads: scenarios, policies, quiz banks.

``Strict`` forbids unknown keys (a typo is an error, not a silently ignored field), refuses
``.nan`` and ``.inf`` in every number (a NaN threshold never fires, a NaN metric reads as 0),
freezes instances and accepts a field by its name or its alias (``for`` / ``for_``). Its JSON Schema
takes each field's docstring as the field's description, so editors show them.

Two things keep a model class cheap to define, because the console's first frame waits on the
scenario's and the policy's model classes being defined: a model builds its validator when it
first validates (``defer_build``), and field docstrings are read only when a JSON Schema is
made (``simulator.fielddocs``: each module's source is parsed once, where pydantic's
``use_attribute_docstrings`` would read the source of every class as it is defined). This
module must not know any file format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode

__all__ = ["Strict"]


class Strict(BaseModel):
    """A strict, frozen model whose field docstrings are its descriptions."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        defer_build=True,
        allow_inf_nan=False,
    )

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool | None = None,
        ref_template: str = "#/$defs/{model}",
        schema_generator: type[GenerateJsonSchema] | None = None,
        mode: JsonSchemaMode = "validation",
        *,
        union_format: Literal["any_of", "primitive_type_array"] = "any_of",
    ) -> dict[str, Any]:
        """The JSON Schema of the model, its fields described by their docstrings (the
        generator: ``simulator.fielddocs.FieldDocs``, unless another is given)."""
        from simulator.fielddocs import FieldDocs

        return super().model_json_schema(
            by_alias, ref_template, schema_generator or FieldDocs, mode, union_format=union_format
        )
