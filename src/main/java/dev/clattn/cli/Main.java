package dev.clattn.cli;

import dev.clattn.InvalidRequestException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code clattn} command line. Bad input: one line on stderr and exit code 2. */
@Command(name = "clattn", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Attention on any OpenCL device, with a plain-Java fallback.",
        subcommands = {InfoCommand.class, RunCommand.class, DemoCommand.class, BenchCommand.class, TuneCommand.class,
            HeatmapCommand.class, NlMeansCommand.class, NonLocalCommand.class, MhaCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int BAD_INPUT = 2;
    public static final int FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: info, run or demo");
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "clattn-cli-logback.xml");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(out, err, args));
    }

    /** Runs one command line and returns its exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("clattn: " + e.getMessage());
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                String message = e instanceof InvalidRequestException r ? ArgumentOptions.message(r, cmd.getCommand())
                        : String.valueOf(e.getMessage());
                err.println("clattn: " + message.lines().findFirst().orElse(""));
                return BAD_INPUT;
            }
            err.println("clattn: failed: " + e);
            return FAILURE;
        });
        return cli.execute(args);
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"clattn " + (v == null ? "(development build)" : v)};
        }
    }
}
