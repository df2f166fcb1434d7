package io.genrtl.core.base;

/**
 * Wraps store ports one by one (tracing, metrics); see {@code Stores.decorate}. Must return an implementation of
 * {@code port} that forwards to {@code store}.
 */
@FunctionalInterface
public interface StoreDecorator {
  <T> T decorate(Class<T> port, T store);
}
