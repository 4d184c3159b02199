package io.infermon.processor.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label stream's files: taken once, replayed after a restart at their step, deleted once checkpointed. */
class LabelStreamTest {
    @TempDir
    Path dir;

    private static LabelStream.Batch batch(String id) {
        return new LabelStream.Batch(List.of(new Label(id, 1, 1_000L)), 0);
    }

    @Test
    void batchesAreTakenInOrderAndReplayedAfterARestartUntilCheckpointed() throws Exception {
        LabelStream.write(dir, batch("a"));
        LabelStream.write(dir, batch("b"));
        LabelStream s = LabelStream.open(dir, 0);
        LabelStream.Taken a = s.take(5);
        assertThat(a.sequence()).isEqualTo(1);
        assertThat(a.step()).isEqualTo(5);
        assertThat(a.batch().labels().get(0).id()).isEqualTo("a");
        LabelStream.Taken b = s.take(9);
        assertThat(b.batch().labels().get(0).id()).isEqualTo("b");
        assertThat(s.take(9)).isNull();
        assertThat(LabelStream.waitingIn(dir)).isZero();

        // a restart from a checkpoint that holds batch 1: batch 2 comes again, at its step and not before
        LabelStream again = LabelStream.open(dir, 1);
        assertThat(again.replaying()).isTrue();
        assertThat(again.nextReplay(8)).isNull();
        LabelStream.Taken replayed = again.nextReplay(9);
        assertThat(replayed.sequence()).isEqualTo(2);
        assertThat(replayed.batch()).isEqualTo(b.batch());
        assertThat(again.replaying()).isFalse();
        LabelStream.write(dir, batch("c"));
        assertThat(again.take(10).sequence()).isEqualTo(3); // numbering goes on after the replayed ones
        again.deleteAppliedUpTo(3);
        try (var files = Files.list(dir.resolve("applied"))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aDamagedBatchIsSetAsideAndTheNextTaken() throws Exception {
        Path first = LabelStream.write(dir, batch("a"));
        LabelStream.write(dir, batch("b"));
        byte[] bytes = Files.readAllBytes(first);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(first, bytes);
        LabelStream s = LabelStream.open(dir, 0);
        LabelStream.Taken t = s.take(0);
        assertThat(t.batch().labels().get(0).id()).isEqualTo("b");
        assertThat(s.damaged()).isEqualTo(1);
        assertThat(dir.resolve("failed").resolve(first.getFileName())).exists();
    }
}
