package io.infermon.agent;

/** {@code java -jar infermon-agent.jar}: what the agent jar does when run rather than attached. */
public final class AgentCommandLine {
    private AgentCommandLine() {
    }

    public static void main(String[] args) {
        System.out.println("""
                infermon agent: attach it to a Java service to capture TensorFlow inference.

                  java -javaagent:infermon-agent.jar -Dinfermon.queue.dir=DIR -jar your-service.jar

                Settings (system property, or environment variable INFERMON_<KEY>):
                  infermon.queue.dir      where capture records go (default ./infermon-queue)
                  infermon.model.name     the model name to record (default: the SavedModel directory's name)
                  infermon.model.version  the model version to record (default: a numeric SavedModel directory)
                  infermon.enabled        false turns capture off
                See docs/agent-yaml.md.""");
    }
}
