package dev.clattn;

/** Prints what a process sees of its configuration; {@link ConfigTest} runs it with a hostile environment. */
public final class ConfigProbe {
    private ConfigProbe() {
    }

    public static void main(String[] args) {
        System.out.println("defaults: " + Config.defaults());
        System.out.println("builder: " + Config.builder().threads(3).build());
        try {
            System.out.println("environment: " + Config.fromEnvironment());
        } catch (IllegalArgumentException e) {
            System.out.println("environment: " + e.getMessage());
        }
    }
}
