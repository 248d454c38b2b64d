package dev.reasoningsdk.impl.internal;

import java.util.Objects;

/**
 * A builder setting that was renamed: the new name and the old, deprecated one set the same value, and setting both to
 * different values is refused, since either choice would silently drop what the caller said. Setting one name twice
 * keeps the last value, as every setter does. Not thread-safe (a builder's).
 *
 * @param <T> the setting's type
 */
public final class RenamedSetting<T> {

    private final String name;
    private final String oldName;
    private T value;
    /** The name the value was last set by; null while it holds its default. */
    private String setBy;

    /**
     * @param name         the setting's name, e.g. {@code "callTimeout"}
     * @param oldName      its deprecated name, e.g. {@code "timeout"}
     * @param defaultValue the value until one is set (null for none)
     */
    public RenamedSetting(String name, String oldName, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.oldName = Objects.requireNonNull(oldName, "oldName");
        this.value = defaultValue;
    }

    /**
     * Sets the value by the new name.
     *
     * @throws IllegalStateException if the old name set another value
     */
    public void set(T newValue) {
        set(name, newValue);
    }

    /**
     * Sets the value by the old name.
     *
     * @throws IllegalStateException if the new name set another value
     */
    public void setByOldName(T newValue) {
        set(oldName, newValue);
    }

    /** The value set, or the default. */
    public T get() {
        return value;
    }

    private void set(String by, T newValue) {
        if (setBy != null && !setBy.equals(by) && !Objects.equals(value, newValue)) {
            throw new IllegalStateException(by + "(" + newValue + ") conflicts with " + setBy + "(" + value
                    + ") set before: " + oldName + " is the deprecated name of " + name + "; set " + name + " only");
        }
        value = newValue;
        setBy = by;
    }
}
