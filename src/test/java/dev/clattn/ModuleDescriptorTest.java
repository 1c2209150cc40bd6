package dev.clattn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The library as a module: it exports its API packages and nothing else (the backends, the tuner and the
 * command line stay internal), and it resolves against the real dependency jars, as a modular application's
 * module path would hold them.
 */
class ModuleDescriptorTest {
    private static Path jarOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void theModuleExportsOnlyTheApiAndResolves() throws Exception {
        Path classes = jarOf(Attention.class);
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.clattn").orElseThrow().descriptor();
        assertEquals(Set.of("dev.clattn", "dev.clattn.io"),
                d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(d.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified), d.toString());
        Configuration cf = ModuleLayer.boot().configuration().resolve(ModuleFinder.of(classes,
                jarOf(org.jocl.CL.class), jarOf(org.slf4j.Logger.class), jarOf(com.google.gson.Gson.class)),
                ModuleFinder.of(), Set.of("dev.clattn"));
        assertTrue(cf.findModule("jocl").isPresent() && cf.findModule("org.slf4j").isPresent(), cf.toString());
    }
}
