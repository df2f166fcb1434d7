/**
 * Model-written patches, JDK only: {@link io.genrtl.core.patch.UnifiedDiff} (a strict unified-diff parser), {@link
 * io.genrtl.core.patch.PatchPolicy} (what a diff may touch), {@link io.genrtl.core.patch.PatchApplier} (all-or-nothing
 * application to a map of files or a directory) and {@link io.genrtl.core.patch.SecretRedactor} (obvious secrets out of
 * text bound for a model provider). Used by the Implement and Repair jobs on the server and by the client that applies
 * their patches; all four are immutable or stateless and thread-safe.
 */
package io.genrtl.core.patch;
