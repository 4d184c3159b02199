package io.infermon.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelIdentityTest {
    @Test
    void aNumericLastDirectoryIsTheVersionAsModelServersLayThemOut() {
        assertThat(ModelIdentity.fromExportDir("/srv/models/digits/3")).isEqualTo(new ModelIdentity("digits", "3"));
        assertThat(ModelIdentity.fromExportDir("/srv/models/digits/3/")).isEqualTo(new ModelIdentity("digits", "3"));
    }

    @Test
    void otherwiseTheLastDirectoryIsTheNameWithNoVersion() {
        assertThat(ModelIdentity.fromExportDir("/srv/models/fraud-v2")).isEqualTo(new ModelIdentity("fraud-v2", ""));
        assertThat(ModelIdentity.fromExportDir("/")).isEqualTo(new ModelIdentity("default", ""));
    }

    @Test
    void configuredNameAndVersionWin() {
        ModelIdentity derived = ModelIdentity.fromExportDir("/m/digits/3");
        assertThat(derived.overriddenBy("mnist", null)).isEqualTo(new ModelIdentity("mnist", "3"));
        assertThat(derived.overriddenBy(null, "canary")).isEqualTo(new ModelIdentity("digits", "canary"));
    }
}
