"""Reading the advice's JSON form into typed views (`advisor.report.views`): required and
optional keys, and a one-line `AdviceFileError` naming the path of a key that is missing
("malformed advice: profile.features[2].kind is missing"). Standard library only."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from advisor.errors import AdviceFileError


class JsonObject:
    """A JSON object of the advice being read, and its path there (for error messages)."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise AdviceFileError(f"malformed advice: {path or 'the advice'} is not an object")
        self.value = value
        self.path = path

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def req(self, key: str) -> Any:
        """The value of a key every schema version requires."""
        if key not in self.value:
            raise AdviceFileError(f"malformed advice: {self._at(key)} is missing")
        return self.value[key]

    def opt(self, key: str, default: Any = None) -> Any:
        """The value of a key some version (or the preview) lacks, else ``default``."""
        return self.value.get(key, default)

    def obj(self, key: str) -> JsonObject:
        return JsonObject(self.req(key), self._at(key))

    def opt_obj(self, key: str) -> JsonObject | None:
        value = self.opt(key)
        return None if value is None else JsonObject(value, self._at(key))

    def objs(self, key: str, required: bool = True) -> list[JsonObject]:
        """The objects of an array (an optional one reads as empty)."""
        items = self.req(key) if required else self.opt(key) or []
        if not isinstance(items, list):
            raise AdviceFileError(f"malformed advice: {self._at(key)} is not an array")
        return [JsonObject(item, f"{self._at(key)}[{i}]") for i, item in enumerate(items)]

    def strings(self, key: str, required: bool = True) -> tuple[str, ...]:
        return tuple(self.req(key) if required else self.opt(key) or ())


View = TypeVar("View")


def build_view(cls: type[View], obj: JsonObject, **given: Any) -> View:
    """A view whose fields, but those ``given``, are the required JSON keys of their names."""
    names = [f.name for f in fields(cls) if f.name not in given]  # type: ignore[arg-type]
    return cls(**{name: obj.req(name) for name in names}, **given)
