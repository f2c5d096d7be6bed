"""Installs the folders under `src/` as one package, `intrro_gateway` (the rest lives in pyproject.toml)."""

from setuptools import find_packages, setup

setup(
    packages=["intrro_gateway", *(f"intrro_gateway.{name}" for name in find_packages("src"))],
    package_dir={"intrro_gateway": "src"},
)
