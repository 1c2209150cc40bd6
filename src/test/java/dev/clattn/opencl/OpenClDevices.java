package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import dev.clattn.Config;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL device tests run on: chosen by the same configuration as the engine. Without a device the
 * tests are skipped with a message, unless CLATTN_REQUIRE_OPENCL=1 makes that a failure (CI).
 */
public final class OpenClDevices {
    private OpenClDevices() {
    }

    public static OpenCl.Device require() {
        OpenCl.Probe probe = OpenCl.probe();
        if (!probe.available()) {
            String why = "no OpenCL device: " + probe.problem();
            if (Config.fromEnvironment().requireOpenCl()) {
                fail(why + " (CLATTN_REQUIRE_OPENCL=1)");
            }
            Assumptions.abort(why + "; OpenCL tests skipped");
        }
        return OpenCl.choose(probe, Config.fromEnvironment()).orElseThrow(() -> new AssertionError("configured OpenCL device not found"));
    }
}
