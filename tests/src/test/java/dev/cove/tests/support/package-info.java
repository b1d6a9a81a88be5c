/**
 * Helpers for end-to-end tests that run real daemons as separate processes over real sockets.
 *
 * <ul>
 *   <li>{@link dev.cove.tests.support.DaemonProcess}: {@code java -cp ... dev.cove.daemon.DaemonMain} in a
 *       data folder; {@code start} returns once it answers a ping, {@code close} kills it.</li>
 *   <li>{@link dev.cove.tests.support.RawClient}: JSON lines on a plain JDK Unix socket, with a timeout on
 *       every read, for protocol tests that must not use Cove's client.</li>
 *   <li>{@link dev.cove.tests.support.TestPlugin}: a plugin jar compiled at test time (javax.tools) with
 *       test operations (echo, fail, burst of events, log lines, sleep) and its own contract records
 *       ({@code dev.cove.tests.support.plugin}); {@code installInto(dataDir)} puts it in {@code plugins/}.</li>
 *   <li>{@link dev.cove.tests.support.Jvm}: java binary, JVM flags ({@code cove.test.jvm}) and class paths;
 *       daemons run without the test classes, so plugin classes reach them only through the jar.</li>
 *   <li>{@link dev.cove.tests.support.Reaper}: kills every process the tests started when the test JVM
 *       exits; {@link dev.cove.tests.support.Daemons} finds daemon processes by data folder;
 *       {@link dev.cove.tests.support.Await} polls a condition with a deadline.</li>
 *   <li>{@link dev.cove.tests.support.PrivateParentMain}, {@link dev.cove.tests.support.AutoStartRacerMain}:
 *       small client programs run as processes of their own.</li>
 * </ul>
 */
package dev.cove.tests.support;
