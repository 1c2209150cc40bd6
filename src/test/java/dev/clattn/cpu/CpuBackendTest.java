package dev.clattn.cpu;

import dev.clattn.spi.Backend;
import dev.clattn.BackendContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CpuBackendTest extends BackendContract implements dev.clattn.KvCacheContract, dev.clattn.StructureContract,
        dev.clattn.ScoreContract {
    @Override
    public dev.clattn.spi.Backend structureBackend() {
        return backend();
    }

    @Override
    public dev.clattn.spi.Backend scoreBackend() {
        return backend();
    }

    @Override
    public dev.clattn.spi.Backend kvBackend() {
        return backend();
    }

    private static final CpuBackend BACKEND = new CpuBackend(2);

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @AfterAll
    static void close() {
        BACKEND.close();
    }

    @Test
    void closeIsIdempotent() {
        CpuBackend b = new CpuBackend(1);
        b.close();
        b.close();
    }
}
