package dev.clattn.opencl;

import dev.clattn.Config;
import dev.clattn.ScoreContract;
import dev.clattn.spi.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The score functions and the mean on the portable fused kernel, attention_fused.cl, which the device's own
 * choice (attention_fused_vec on a CPU, attention_flash on a GPU) leaves to half storage and large heads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenClPortableScoreTest implements ScoreContract {
    private OpenClBackend backend;

    @BeforeAll
    void open() {
        backend = new OpenClBackend(OpenClDevices.require(),
                Config.builderFromEnvironment().fusedKernel("attention_fused").build());
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    public Backend scoreBackend() {
        return backend;
    }
}
