import CLinuxShim
import Glibc

/// A thread of its own for a loop that blocks (a NATS pull, a process's pipe), named for `top -H` and
/// gdb. pthreads directly: Foundation's `Thread` would link ICU into the binary.
public enum DetachedThread {
    private final class Body {
        let name: String
        let run: () -> Void
        init(_ name: String, _ run: @escaping () -> Void) { self.name = name; self.run = run }
    }

    /// Starts `body` on a new detached thread named `name` (the kernel keeps 15 bytes of it).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(name, body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            cshim_set_thread_name(body.name)
            body.run()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            fatalError("pthread_create: \(String(cString: strerror(started)))")
        }
        pthread_detach(thread)
    }
}
