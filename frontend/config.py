"""Global options, set like JAX's: `irax.config.update("jax_enable_x64", True)`."""
import os

_values = {
    "jax_enable_x64": os.environ.get("IRAX_ENABLE_X64", os.environ.get("JAX_ENABLE_X64", "0"))
    .lower() in ("1", "true"),
    "jax_disable_jit": os.environ.get("JAX_DISABLE_JIT", "0").lower() in ("1", "true"),
}
_ALIASES = {"irax_enable_x64": "jax_enable_x64"}


def update(name: str, value) -> None:
    name = _ALIASES.get(name, name)
    if name not in _values:
        raise KeyError(f"unknown config option {name!r}; known: {sorted(_values)}")
    _values[name] = value


def read(name: str):
    return _values[_ALIASES.get(name, name)]


def x64_enabled() -> bool:
    return _values["jax_enable_x64"]
