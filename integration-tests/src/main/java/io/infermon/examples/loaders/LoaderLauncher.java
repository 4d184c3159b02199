package io.infermon.examples.loaders;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts an app the way containers do: its classes and TensorFlow live in a class loader of their own, not on the
 * JVM's class path (which holds only this launcher).
 * <ul>
 *   <li>{@code child}: a {@link URLClassLoader} whose parent is the application class loader, as a Spring Boot fat
 *       jar's loader or a servlet container's web-app loader;</li>
 *   <li>{@code isolated}: a {@link URLClassLoader} whose parent is the platform class loader, so it sees the JDK and
 *       nothing of the class path (as plug-in systems do).</li>
 * </ul>
 *
 * <pre>
 * LoaderLauncher child|isolated CLASSPATH_FILE MAIN_CLASS [ARGS...]
 * </pre>
 * CLASSPATH_FILE holds the app's class path (entries separated by the path separator). The app's main method runs
 * with the new loader as the thread's context class loader.
 */
public final class LoaderLauncher {
    private LoaderLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        String kind = args[0];
        List<URL> urls = new ArrayList<>();
        for (String entry : Files.readString(Path.of(args[1])).trim().split(java.io.File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ClassLoader parent = switch (kind) {
            case "child" -> LoaderLauncher.class.getClassLoader();
            case "isolated" -> ClassLoader.getPlatformClassLoader();
            default -> throw new IllegalArgumentException("child or isolated, not " + kind);
        };
        try (URLClassLoader loader = new URLClassLoader("app-" + kind, urls.toArray(URL[]::new), parent)) {
            Class<?> main = Class.forName(args[2], true, loader);
            if (main.getClassLoader() != loader) {
                throw new IllegalStateException(args[2] + " was loaded by " + main.getClassLoader() + ", not " + loader);
            }
            System.out.println("loaded " + args[2] + " and TensorFlow in " + loader.getName() + " (parent "
                    + parent.getName() + ")");
            Thread.currentThread().setContextClassLoader(loader);
            try {
                main.getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 3, args.length));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
