package io.genrtl.host.obs;

import io.genrtl.core.Stores;
import io.genrtl.core.base.StoreDecorator;
import io.genrtl.core.base.Transactor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Wraps a {@link Stores} so every store call made inside a trace becomes a child span ({@code store JobStore.claimNext},
 * {@code store transaction}). Used only when tracing is on; calls outside any trace pass straight through.
 */
public final class TracedStores {
  private TracedStores() {}

  public static Stores wrap(Stores stores, Tracing tracing) {
    if (!tracing.enabled()) return stores;
    return stores.decorate(new StoreDecorator() {
      @Override
      public <T> T decorate(Class<T> port, T store) {
        Object traced = port == Transactor.class ? transactor((Transactor) store, tracing) : store(port, store, tracing);
        return port.cast(traced);
      }
    });
  }

  private static Transactor transactor(Transactor t, Tracing tracing) {
    return (Transactor) Proxy.newProxyInstance(Transactor.class.getClassLoader(), new Class<?>[] {Transactor.class},
        // relaxed(…) only sets how the transactions inside commit: no span of its own (the job's spans stay its children)
        (proxy, m, args) -> m.getDeclaringClass() == Object.class || !m.getName().equals("inTransaction")
            ? invoke(t, m, args) : tracing.inChildSpan("store transaction", () -> uncheckedInvoke(t, m, args)));
  }

  private static Object store(Class<?> type, Object target, Tracing tracing) {
    String prefix = "store " + type.getSimpleName() + ".";
    InvocationHandler h = (proxy, m, args) -> m.getDeclaringClass() == Object.class ? invoke(target, m, args)
        : tracing.inChildSpan(prefix + m.getName(), () -> uncheckedInvoke(target, m, args));
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
  }

  private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Object uncheckedInvoke(Object target, Method m, Object[] args) {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) throw r;
      if (c instanceof Error err) throw err;
      throw new IllegalStateException(c);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
