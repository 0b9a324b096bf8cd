import os
import shutil
import sys

import lit.formats

config.name = "irax"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
config.excludes = ["lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.environment["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
config.environment["HOME"] = os.environ.get("HOME", "/tmp")
bindir = os.path.dirname(sys.executable)
config.environment["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
opt = shutil.which("irax-opt", path=bindir) or "irax-opt"
filecheck = shutil.which("filecheck", path=bindir) or "filecheck"
config.substitutions.append(("%python", sys.executable))
if shutil.which("iree-compile", path=bindir) and shutil.which("iree-run-module", path=bindir):
    config.available_features.add("iree-compile")
config.substitutions.append(("irax-opt", opt))
config.substitutions.append(("FileCheck", filecheck))
