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

    /**
     * No public or protected member of an exported class names a type of an internal package (as
     * {@code Attention.backend()} returning {@code spi.Backend} once did): a module user could not use it.
     */
    @Test
    void theApiNamesNoInternalType() throws Exception {
        Path classes = jarOf(Attention.class);
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.clattn").orElseThrow().descriptor();
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        java.util.List<String> leaks = new java.util.ArrayList<>();
        for (String pkg : exported) {
            Path dir = classes.resolve(pkg.replace('.', '/'));
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".class")).toList()) {
                    String name = pkg + "." + f.getFileName().toString().replace(".class", "");
                    Class<?> c = Class.forName(name, false, Attention.class.getClassLoader());
                    if (!java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
                        continue;
                    }
                    for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                        if (visible(m.getModifiers()) && !m.isSynthetic()) {
                            java.util.List<java.lang.reflect.Type> types = new java.util.ArrayList<>(
                                    java.util.List.of(m.getGenericParameterTypes()));
                            types.add(m.getGenericReturnType());
                            types.addAll(java.util.List.of(m.getGenericExceptionTypes()));
                            check(name + "." + m.getName(), types, exported, leaks);
                        }
                    }
                    for (java.lang.reflect.Constructor<?> k : c.getDeclaredConstructors()) {
                        if (visible(k.getModifiers())) {
                            check(name + ".<init>", java.util.List.of(k.getGenericParameterTypes()), exported, leaks);
                        }
                    }
                    for (java.lang.reflect.Field field : c.getDeclaredFields()) {
                        if (visible(field.getModifiers())) {
                            check(name + "." + field.getName(), java.util.List.of(field.getGenericType()), exported,
                                    leaks);
                        }
                    }
                    java.util.List<java.lang.reflect.Type> supers = new java.util.ArrayList<>(
                            java.util.List.of(c.getGenericInterfaces()));
                    if (c.getGenericSuperclass() != null) {
                        supers.add(c.getGenericSuperclass());
                    }
                    check(name + " (supertypes)", supers, exported, leaks);
                }
            }
        }
        assertEquals(java.util.List.of(), leaks);
    }

    private static boolean visible(int modifiers) {
        return java.lang.reflect.Modifier.isPublic(modifiers) || java.lang.reflect.Modifier.isProtected(modifiers);
    }

    private static void check(String where, java.util.List<java.lang.reflect.Type> types, Set<String> exported,
            java.util.List<String> leaks) {
        for (java.lang.reflect.Type t : types) {
            String text = t.getTypeName();
            for (String token : text.split("[<>,\\s\\[\\]?&]+")) {
                int dot = token.lastIndexOf('.');
                String pkg = dot < 0 ? "" : token.substring(0, dot);
                if (pkg.startsWith("dev.clattn") && !exported.contains(pkg)) {
                    leaks.add(where + ": " + token);
                }
            }
        }
    }
}
