package dev.cove.examples.hello;

public record Greeting(String text, String instance) {
}
