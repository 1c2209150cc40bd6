package dev.clattn.cli;

import dev.clattn.Attention;
import dev.clattn.spi.Backend;
import dev.clattn.Config;
import dev.clattn.opencl.DeviceInfo;
import dev.clattn.opencl.OpenCl;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true, description = "List OpenCL platforms and devices, their limits, and the one chosen.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Config config = Config.fromEnvironment();
        OpenCl.Probe probe = OpenCl.probe();
        if (!probe.available()) {
            out.println("OpenCL: " + probe.problem());
        }
        int platform = -1;
        for (OpenCl.Device d : probe.devices()) {
            DeviceInfo i = d.info();
            if (i.platformIndex() != platform) {
                platform = i.platformIndex();
                out.printf("Platform %d: %s (%s)%n", platform, i.platformName(), i.platformVendor());
            }
            out.printf("  Device %d: %s [%s]%n", i.deviceIndex(), i.name(), i.type());
            out.printf("    vendor %s, driver %s, %s%n", i.vendor(), i.driverVersion(), i.openclCVersion());
            out.printf("    compute units %d, clock %d MHz%n", i.computeUnits(), i.clockMHz());
            out.printf("    global memory %s, local memory %s, max allocation %s%n", size(i.globalMemBytes()),
                    size(i.localMemBytes()), size(i.maxAllocBytes()));
            out.printf("    max work-group size %d, fp64 %s, fp16 %s%n", i.maxWorkGroupSize(), yes(i.fp64()),
                    yes(i.fp16()));
        }
        out.println("Configuration: " + config);
        try (Attention engine = Attention.open(config)) {
            Backend b = dev.clattn.spi.Backends.of(engine);
            out.println("Chosen: " + b.name() + " - " + b.device());
        }
        return 0;
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
