package dev.clattn;

import dev.clattn.spi.Backend;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The engine's backends, each running one call at a time: a call takes an idle one or waits for one. Closing
 * waits for the calls in flight (they finish with their answers), closes every backend, and makes every later
 * or waiting call throw {@link IllegalStateException}.
 */
final class Lanes implements AutoCloseable {
    private final List<Backend> all;
    private final ArrayDeque<Backend> idle;
    private final Semaphore free;
    private boolean closed;

    Lanes(List<Backend> all) {
        this.all = List.copyOf(all);
        this.idle = new ArrayDeque<>(all);
        this.free = new Semaphore(all.size(), true);
    }

    Backend first() {
        return all.get(0);
    }

    List<Backend> all() {
        return all;
    }

    <T> T run(Function<Backend, T> call) {
        Backend b = acquire();
        try {
            return call.apply(b);
        } finally {
            release(b);
        }
    }

    /** An idle backend, waiting for one; give it back with {@link #release}. */
    Backend acquire() {
        free.acquireUninterruptibly();
        synchronized (this) {
            if (closed) {
                free.release();
                throw new IllegalStateException("engine used after close");
            }
            return idle.pop();
        }
    }

    void release(Backend b) {
        synchronized (this) {
            idle.push(b);
        }
        free.release();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        free.acquireUninterruptibly(all.size());
        try {
            all.forEach(Backend::close);
        } finally {
            free.release(all.size());
        }
    }
}
