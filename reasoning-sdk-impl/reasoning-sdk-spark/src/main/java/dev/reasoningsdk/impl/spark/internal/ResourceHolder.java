package dev.reasoningsdk.impl.spark.internal;

import dev.reasoningsdk.impl.spark.ExecutorResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-JVM store behind {@code ExecutorResource}: one instance per key, built under the store's lock so that two
 * tasks starting at once on one executor do not both load a model (a load takes seconds and hundreds of MB), and
 * closed by one JVM shutdown hook. Not API.
 */
public final class ResourceHolder {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceHolder.class);
    private static final Map<String, Object> RESOURCES = new LinkedHashMap<>();
    /** Everything to close, in order of registration; closed in reverse. */
    private static final List<AutoCloseable> TO_CLOSE = new ArrayList<>();
    private static boolean hookInstalled;

    private ResourceHolder() {
    }

    /** The instance for {@code key}, built by {@code recipe} if there is none yet. */
    public static synchronized <T> T get(String key, ExecutorResource.Recipe<T> recipe) {
        Object held = RESOURCES.get(key);
        if (held == null) {
            List<AutoCloseable> registered = new ArrayList<>();
            ExecutorResource.Closer closer = new ExecutorResource.Closer() {
                @Override
                public <C extends AutoCloseable> C register(C closeable) {
                    registered.add(Objects.requireNonNull(closeable, "closeable"));
                    return closeable;
                }
            };
            try {
                held = recipe.build(closer);
                if (held == null) {
                    throw new IllegalStateException("the recipe of executor resource " + key + " returned null");
                }
            } catch (RuntimeException e) {
                close(registered);
                throw e;
            } catch (Exception e) {
                close(registered);
                throw new IllegalStateException("could not build executor resource " + key + ": " + e, e);
            }
            if (held instanceof AutoCloseable closeable && !registered.contains(closeable)) {
                registered.add(closeable);
            }
            RESOURCES.put(key, held);
            TO_CLOSE.addAll(registered);
            LOG.info("built executor resource {} ({})", key, held.getClass().getName());
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(ResourceHolder::closeAll, "executor-resources-close"));
                hookInstalled = true;
            }
        }
        @SuppressWarnings("unchecked")
        T typed = (T) held;
        return typed;
    }

    /** How many resources this JVM holds (for tests: "built once per JVM"). */
    public static synchronized int size() {
        return RESOURCES.size();
    }

    /** Closes every registered {@link AutoCloseable} in reverse order and forgets every resource. */
    public static synchronized void closeAll() {
        RESOURCES.clear();
        List<AutoCloseable> closing = new ArrayList<>(TO_CLOSE);
        TO_CLOSE.clear();
        close(closing);
    }

    private static void close(List<AutoCloseable> closeables) {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing an executor resource failed: {}", e.toString());
            }
        }
    }
}
