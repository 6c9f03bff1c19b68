"""Field docstrings as JSON Schema descriptions, read when a schema is made.

A model field is documented by the string literal on the line under it (``title: str`` and
then a line holding only a docstring).

``FieldDocs`` is the JSON Schema generator ``simulator.strict.Strict`` uses: it gives each field
the docstring under it as its description, with pydantic's ``use_attribute_docstrings`` rules,
but reads each module's source once, when a schema is asked for, rather than the source of every
class as the class is defined (which cost the console's first frame about 70 ms). This module
must not know any file format.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

__all__ = ["FieldDocs", "field_docs"]


@functools.cache
def _module_docs(module: str) -> dict[str, dict[str, str]]:
    """``{class name: {field: docstring}}`` for the top-level classes of a module's source."""
    try:
        source = inspect.getsource(sys.modules[module])
    except (KeyError, OSError, TypeError):  # no source (a frozen or interactive module)
        return {}
    docs: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            fields: dict[str, str] = {}
            for stmt, after in zip(node.body, node.body[1:], strict=False):
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and isinstance(after, ast.Expr)
                    and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)
                ):
                    fields[stmt.target.id] = inspect.cleandoc(after.value.value)
            docs[node.name] = fields
    return docs


def field_docs(cls: type[Any]) -> dict[str, str]:
    """Each field of a class and the docstring written under it, in the class or a base."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        docs.update(_module_docs(klass.__module__).get(klass.__qualname__, {}))
    return docs


class FieldDocs(GenerateJsonSchema):
    """A JSON Schema generator that describes each model field by the docstring under it, as
    pydantic's ``use_attribute_docstrings`` would: a field's own ``Field(description=…)`` wins,
    and the docstring wins over a description its type carries."""

    def model_schema(self, schema: core_schema.ModelSchema) -> dict[str, Any]:
        """The model's JSON Schema, with its fields' docstrings as their descriptions."""
        json_schema = super().model_schema(schema)
        properties = json_schema.get("properties")
        if isinstance(properties, dict):
            cls = schema["cls"]
            docs = field_docs(cls)
            for name, info in getattr(cls, "model_fields", {}).items():
                key = info.alias if self.by_alias and info.alias else name
                prop = properties.get(key)
                if isinstance(prop, dict) and info.description is None and name in docs:
                    properties[key] = self.handle_ref_overrides({**prop, "description": docs[name]})
        return json_schema
