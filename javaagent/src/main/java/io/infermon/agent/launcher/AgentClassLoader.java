package io.infermon.agent.launcher;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * Loads the agent and its libraries from the unpacked core jar. Its parent is the platform class loader, so it sees
 * the JDK and the bootstrap dispatcher but never the host's classes: the host's Byte Buddy, Jackson or Chronicle
 * cannot clash with ours, and ours cannot leak into the host.
 */
final class AgentClassLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    AgentClassLoader(URL coreJar) {
        super("infermon-agent", new URL[] {coreJar}, ClassLoader.getPlatformClassLoader());
    }
}
