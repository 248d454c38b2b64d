package dev.reasoningsdk.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Internal packages are internal (docs/design.md): no public type outside them may name one of their types in a
 * public or protected signature, or callers would depend on what may change in any release.
 */
class PublicSignaturesTest {

    @Test
    void noPublicSignatureOfThisArtifactNamesAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : exportedTypes()) {
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                check(type, constructor, leaks);
            }
            for (Method method : type.getDeclaredMethods()) {
                if (exposed(method.getModifiers()) && !method.isSynthetic()) {
                    check(type, method, leaks);
                    leak(type, method.getName() + " returns", method.getGenericReturnType(), leaks);
                }
            }
            for (Field field : type.getDeclaredFields()) {
                if (exposed(field.getModifiers()) && !field.isSynthetic()) {
                    leak(type, "field " + field.getName(), field.getGenericType(), leaks);
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    /**
     * A public type may extend an internal one (SamplingFuture extends StoppingFuture), but a public method that only
     * the internal type declares would be API all the same: StoppingFuture's completion by the work, which stops
     * nothing, must not reach SamplingFuture's callers.
     */
    @Test
    void noExportedTypeInheritsAPublicMethodThatOnlyAnInternalTypeDeclares() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : exportedTypes()) {
            for (Method method : type.getMethods()) {
                if (isInternal(method.getDeclaringClass()) && !declaredOutsideInternal(type, method)) {
                    leaks.add(type.getName() + "." + method.getName() + " from "
                            + method.getDeclaringClass().getName());
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    /** Whether a supertype of {@code type} outside the internal packages has {@code method} as well. */
    private static boolean declaredOutsideInternal(Class<?> type, Method method) {
        List<Class<?>> supertypes = new ArrayList<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            supertypes.add(c);
            supertypes.addAll(List.of(c.getInterfaces()));
        }
        for (Class<?> supertype : supertypes) {
            if (isInternal(supertype)) {
                continue;
            }
            try {
                Method same = supertype.getMethod(method.getName(), method.getParameterTypes());
                if (!isInternal(same.getDeclaringClass())) {
                    return true;
                }
            } catch (NoSuchMethodException absent) {
                // not this supertype's
            }
        }
        return false;
    }

    private static void check(Class<?> type, Executable executable, List<String> leaks) {
        if (!exposed(executable.getModifiers()) || executable.isSynthetic()) {
            return;
        }
        for (Type parameter : executable.getGenericParameterTypes()) {
            leak(type, (executable instanceof Constructor ? "constructor" : executable.getName()) + " takes", parameter,
                    leaks);
        }
    }

    private static void leak(Class<?> owner, String where, Type type, List<String> leaks) {
        if (type instanceof Class<?> c) {
            Class<?> named = c.isArray() ? c.componentType() : c;
            if (isInternal(named)) {
                leaks.add(owner.getName() + "." + where + " " + named.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            leak(owner, where, p.getRawType(), leaks);
            for (Type argument : p.getActualTypeArguments()) {
                leak(owner, where, argument, leaks);
            }
        } else if (type instanceof WildcardType w) {
            Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
                    .forEach(bound -> leak(owner, where, bound, leaks));
        }
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static boolean isInternal(Class<?> type) {
        return type.getPackageName().contains(".internal");
    }

    /** The public types (nested ones whose enclosing types are public too) outside internal packages. */
    private static List<Class<?>> exportedTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Class.forName("dev.reasoningsdk.impl.retrieval.LinearHead").getProtectionDomain()
                .getCodeSource().getLocation().toURI());
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                Class<?> type = Class.forName(name.substring(0, name.length() - ".class".length()), false,
                        PublicSignaturesTest.class.getClassLoader());
                if (!isInternal(type) && isExported(type)) {
                    types.add(type);
                }
            }
        }
        assertThat(types).as("types found in " + classes).isNotEmpty();
        return types;
    }

    private static boolean isExported(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass()) {
                return false;
            }
        }
        return true;
    }
}
