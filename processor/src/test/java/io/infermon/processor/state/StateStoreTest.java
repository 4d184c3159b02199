package io.infermon.processor.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.processor.state.StateStore.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state store's promise: reads see the pending batch; a commit is all or nothing; a reopen sees the commits. */
class StateStoreTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> scan(StateStore store, Family f, String prefix) throws IOException {
        List<String> seen = new ArrayList<>();
        store.scan(f, b(prefix), (k, v) -> seen.add(s(k) + "=" + s(v)));
        return seen;
    }

    @Test
    void whatWasNotCommittedIsGoneAfterAReopenAndWhatWasIsThere() throws IOException {
        Path state = dir.resolve("state");
        try (StateStore store = StateStore.onDisk(state, false)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
            store.put(Family.PREDICTIONS, b("a1"), b("one"));
            store.put(Family.PREDICTIONS, b("a2"), b("two"));
            store.put(Family.PREDICTION_IDS, b("a1"), b("other family"));
            assertThat(s(store.get(Family.PREDICTIONS, b("a1")))).isEqualTo("one"); // pending, yet read
            store.commit(b("checkpoint 1"), true);
            store.delete(Family.PREDICTIONS, b("a1"));
            store.put(Family.PREDICTIONS, b("a3"), b("three"));
            // the pending delete and put are seen on top of the committed keys
            assertThat(scan(store, Family.PREDICTIONS, "a")).containsExactly("a2=two", "a3=three");
            assertThat(StateStore.readCheckpoint(state)).asString(StandardCharsets.UTF_8).isEqualTo("checkpoint 1");
        } // closed without a second commit: as if killed here
        try (StateStore store = StateStore.onDisk(state, true)) {
            assertThat(s(store.checkpoint())).isEqualTo("checkpoint 1");
            assertThat(scan(store, Family.PREDICTIONS, "a")).containsExactly("a1=one", "a2=two");
            assertThat(s(store.get(Family.PREDICTION_IDS, b("a1")))).isEqualTo("other family");
            List<String> got = new ArrayList<>();
            store.getAll(Family.PREDICTIONS, List.of(b("a1"), b("a2"), b("a9")), (k, v) -> got.add(s(k) + "=" + s(v)));
            assertThat(got).containsExactly("a1=one", "a2=two");
        }
    }

    @Test
    void changesSpilledBeforeACommitReachTheDatabaseAndACommitMakesThemDurable() throws IOException {
        Path state = dir.resolve("state");
        try (StateStore store = StateStore.onDisk(state, false).spillAfter(64)) {
            for (int i = 0; i < 100; i++) {
                store.put(Family.PREDICTIONS, b(String.format("k%03d", i)), b("v" + i));
                store.spillIfLarge();
            }
            assertThat(store.pendingBytes()).isLessThan(64 + 32); // the rest went on to the database
            store.commit(b("after 100"), true);
            for (int i = 100; i < 200; i++) {
                store.put(Family.PREDICTIONS, b(String.format("k%03d", i)), b("v" + i));
                store.spillIfLarge();
            }
        } // not committed: spilled ones may be there, the pending ones are not
        try (StateStore store = StateStore.onDisk(state, true)) {
            assertThat(s(store.checkpoint())).isEqualTo("after 100");
            List<String> keys = scan(store, Family.PREDICTIONS, "k");
            assertThat(keys.subList(0, 100)).allSatisfy(k -> assertThat(k).startsWith("k0"));
            assertThat(keys.size()).isBetween(100 + 90, 200); // every spilled one reached the database
            List<String> range = new ArrayList<>();
            store.scanRange(Family.PREDICTIONS, b("k050"), b("k053"), (k, v) -> range.add(s(k)));
            assertThat(range).containsExactly("k050", "k051", "k052");
        }
    }

    @Test
    void anotherProcessCanReadTheCheckpointOfAStoreInUse() throws IOException {
        Path state = dir.resolve("state");
        try (StateStore store = StateStore.onDisk(state, false)) {
            assertThat(StateStore.readCheckpoint(state)).isNull();
            for (int i = 1; i <= 3; i++) {
                store.put(Family.LABELS, b("k" + i), b("v"));
                store.commit(b("checkpoint " + i), true);
                assertThat(StateStore.readCheckpoint(state)).asString(StandardCharsets.UTF_8)
                        .isEqualTo("checkpoint " + i);
            }
        }
    }

    @Test
    void startingAfreshForgetsWhatTheDirectoryHeld() throws IOException {
        Path state = dir.resolve("state");
        try (StateStore store = StateStore.onDisk(state, false)) {
            store.put(Family.PREDICTIONS, b("x"), b("old"));
            store.commit(b("old checkpoint"), true);
        }
        try (StateStore store = StateStore.forCheckpoint(state, false)) {
            assertThat(store.checkpoint()).isNull();
            assertThat(store.get(Family.PREDICTIONS, b("x"))).isNull();
        }
        // continuing from a checkpoint that the store does not hold (an older build's OUT/checkpoint file): empty
        try (StateStore store = StateStore.forCheckpoint(state, true)) {
            assertThat(store.get(Family.PREDICTIONS, b("x"))).isNull();
        }
    }

    @Test
    void inMemoryStoresWorkAlikeAndLeaveNoFiles() throws IOException {
        try (StateStore store = StateStore.inMemory()) {
            store.put(Family.PREDICTIONS, b("p"), b("1"));
            store.commit(null, false);
            store.put(Family.PREDICTIONS, b("q"), b("2"));
            assertThat(scan(store, Family.PREDICTIONS, "")).containsExactly("p=1", "q=2");
        }
        assertThat(Files.exists(Path.of("/infermon-state"))).isFalse();
    }
}
