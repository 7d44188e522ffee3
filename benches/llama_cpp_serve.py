# llama-cpp-python's server with llama.cpp's extra (repacked, e.g. AMX)
# weight buffers turned off: in sandboxes that do not grant AMX tiles they
# crash the server on the first request.
import runpy
import sys

import llama_cpp.llama_cpp as lc

_default = lc.llama_model_default_params


def _params():
    p = _default()
    p.use_extra_bufts = False
    return p


lc.llama_model_default_params = _params
sys.argv[0] = "llama_cpp.server"
runpy.run_module("llama_cpp.server", run_name="__main__")
