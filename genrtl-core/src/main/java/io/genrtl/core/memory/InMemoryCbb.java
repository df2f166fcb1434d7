package io.genrtl.core.memory;

import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.cbb.CbbStore;
import io.genrtl.core.cbb.CbbVersion;
import io.genrtl.core.cbb.Receipt;
import io.genrtl.core.cbb.ReceiptStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** In-memory CBB versions and receipts. */
final class InMemoryCbb {
  static final class Data {
    Map<String, CbbVersion> versions = new LinkedHashMap<>(); // id@version
    TreeMap<String, Receipt> receipts = new TreeMap<>();
    TreeMap<String, String> ownership = new TreeMap<>(); // userId + '\0' + id@version -> receipt id

    Data copy() {
      Data d = new Data();
      d.versions = new LinkedHashMap<>(versions);
      d.receipts = new TreeMap<>(receipts);
      d.ownership = new TreeMap<>(ownership);
      return d;
    }
  }

  interface Access {
    <T> T locked(java.util.function.Supplier<T> s);

    Data data();
  }

  private final Access x;

  private static String ownershipKey(String userId, String cbbId, String version) {
    return userId + "\0" + cbbId + "@" + version;
  }

  InMemoryCbb(Access x) {
    this.x = x;
  }

  CbbStore cbbs() {
    return new CbbStore() {
      @Override
      public void insert(CbbVersion v) {
        x.locked(() -> {
          if (x.data().versions.putIfAbsent(v.cbbId() + "@" + v.version(), v) != null) {
            throw new DuplicateKeyException("version exists", null);
          }
          return null;
        });
      }

      @Override
      public Optional<CbbVersion> find(String id, String version) {
        return x.locked(() -> Optional.ofNullable(x.data().versions.get(id + "@" + version)));
      }

      @Override
      public List<CbbVersion> versions(String id) {
        return x.locked(() -> x.data().versions.values().stream().filter(v -> v.cbbId().equals(id)).toList());
      }

      @Override
      public List<CbbVersion> all() {
        return x.locked(() -> List.copyOf(x.data().versions.values()));
      }

      @Override
      public boolean yank(String id, String version) {
        return x.locked(() -> {
          CbbVersion v = x.data().versions.get(id + "@" + version);
          if (v == null || v.yanked()) return false;
          x.data().versions.put(id + "@" + version, new CbbVersion(v.manifest(), v.sha256(), v.sizeBytes(), v.format(),
              v.blobKey(), true, v.publishedAt(), v.publishedBy()));
          return true;
        });
      }
    };
  }

  ReceiptStore receipts() {
    return new ReceiptStore() {
      @Override
      public void insert(Receipt r) {
        x.locked(() -> {
          if (x.data().receipts.putIfAbsent(r.receiptId(), r) != null) return null;
          for (Receipt.Item it : r.items()) {
            if (it.alreadyOwned()) continue;
            if (x.data().ownership.putIfAbsent(ownershipKey(r.userId(), it.cbbId(), it.version()), r.receiptId()) != null) {
              throw new DuplicateKeyException("already owned: " + it.cbbId() + "@" + it.version(), null);
            }
          }
          return null;
        });
      }

      @Override
      public boolean revoke(String userId, String cbbId, String version, String receiptId) {
        return x.locked(() -> x.data().ownership.remove(ownershipKey(userId, cbbId, version), receiptId));
      }

      @Override
      public Optional<Receipt> find(String id) {
        return x.locked(() -> Optional.ofNullable(x.data().receipts.get(id)));
      }

      @Override
      public Map<String, String> owned(String userId) {
        return x.locked(() -> {
          Map<String, String> m = new LinkedHashMap<>();
          String prefix = userId + "\0";
          for (Map.Entry<String, String> e : x.data().ownership.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) break;
            m.put(e.getKey().substring(prefix.length()), e.getValue());
          }
          return m;
        });
      }

      @Override
      public Page<Receipt> list(String userId, PageRequest page) {
        return x.locked(() -> {
          var head = page.after() == null ? x.data().receipts.descendingMap() : x.data().receipts.headMap(page.after(), false).descendingMap();
          List<Receipt> rows = new ArrayList<>();
          for (Receipt r : head.values()) {
            if (!r.userId().equals(userId)) continue;
            rows.add(r);
            if (rows.size() > page.limit()) break;
          }
          return Page.fromOverfetch(rows, page, Receipt::receiptId);
        });
      }
    };
  }
}
