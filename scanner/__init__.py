"""beleidsscan: scan Dutch municipal policy documents against a research framework."""

from pathlib import Path as _Path

__version__ = "0.1.0"

# The web UI lives in the top-level ui/ folder and belongs to this package as ``scanner.ui``: a wheel installs it
# there (pyproject's force-include), and in a source tree (an editable install, the tests) the folder beside this
# package is searched for it. Nothing named ``ui`` is installed at the top level of site-packages.
if not (_Path(__file__).parent / "ui").is_dir() and (_Path(__file__).parent.parent / "ui" / "__init__.py").is_file():
    __path__.append(str(_Path(__file__).parent.parent))
