package dev.clattn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kernel's text as the driver gets it: common.cl, the file, its included parts in place. */
class KernelSourceTest {
    @Test
    void includedPartsAreReplacedByTheirTextInPlace() {
        KernelSource flash = KernelSource.load("attention_flash", null);
        assertFalse(flash.text().contains("#include"), "the driver has no include path into the jar");
        int exchange = flash.text().indexOf("STAGE float lane_xor(");
        int stages = flash.text().indexOf("STAGE void load_q(");
        int kernel = flash.text().indexOf("void attention_flash(FUSED_ATTENTION_PARAMS)");
        int derived = flash.text().indexOf("#define LANES (TILE_K / WPT_K)");
        assertTrue(derived > 0 && derived < exchange && exchange < stages && stages < kernel,
                derived + " " + exchange + " " + stages + " " + kernel);
        assertEquals(7, flash.space().size(), "the kernel file's tune lists: " + flash.space());
    }

    /** A tuning session that edits a part in its kernel directory gets that part, and a new hash. */
    @Test
    void aPartInTheKernelDirectoryIsTheOneIncluded(@TempDir Path dir) throws Exception {
        String jar = KernelSource.load("attention_flash", null).text();
        Files.writeString(dir.resolve("lane_exchange.cl"), "// edited\n");
        KernelSource edited = KernelSource.load("attention_flash", dir);
        assertTrue(edited.text().contains("// edited\n") && !edited.text().contains("STAGE float lane_xor("));
        assertTrue(edited.origin().startsWith("jar:"), "the kernel file itself is still the jar's");
        assertNotEquals(KernelSource.load("attention_flash", null).hash(), edited.hash());
        assertEquals(jar, KernelSource.load("attention_flash", null).text());
    }

    @Test
    void aPartIncludedTwiceIsAnError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("lane_exchange.cl"), "#include \"attention_flash_stages.cl\"\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelSource.load("attention_flash", dir));
        assertTrue(e.getMessage().contains("attention_flash_stages.cl is included twice"), e.getMessage());
    }
}
