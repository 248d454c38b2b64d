package dev.reasoningsdk.impl.prompt;

import java.util.ServiceLoader;

/** Holds {@link Paraphraser#installed()}'s answer, looked up when the class is first used. */
final class InstalledParaphraser {

    static final Paraphraser INSTANCE = ServiceLoader.load(Paraphraser.class).findFirst()
            .orElseGet(Paraphraser::none);

    private InstalledParaphraser() {
    }
}
