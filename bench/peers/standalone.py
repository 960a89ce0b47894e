"""Building and timing a Brian2 cpp_standalone run, shared by the peers."""
import time


def build_and_time(b2, build_dir, setup_s):
    """Generates, compiles and runs the standalone project in `build_dir`
    (the network must already have been `run` with build_on_run=False) and
    returns the timings in seconds: ``setup`` (`setup_s`, the Python-side
    network description), ``build_total``, ``run_binary``,
    ``codegen_compile`` (build_total - run_binary), ``simulate`` (the
    simulation loop alone, ``device._last_run_time``) and ``network_build``
    (run_binary - simulate: synapse creation and initialisation)."""
    t0 = time.perf_counter()
    b2.device.build(directory=build_dir, compile=True, run=True, with_output=False)
    timings = {"setup": setup_s, "build_total": time.perf_counter() - t0}
    timings["run_binary"] = b2.device.timers["run_binary"]
    timings["codegen_compile"] = timings["build_total"] - timings["run_binary"]
    timings["simulate"] = b2.device._last_run_time
    timings["network_build"] = timings["run_binary"] - timings["simulate"]
    return timings
