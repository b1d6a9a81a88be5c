/**
 * End-to-end tests of the daemon's foundation: real daemon processes, real Unix sockets, real files,
 * nothing of Cove mocked. Run them with {@code mvn -pl tests test -Dtest='dev.cove.tests.daemon.**'}.
 */
package dev.cove.tests.daemon;
