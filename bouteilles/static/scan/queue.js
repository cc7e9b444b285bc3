// The offline queue: scans made without network, kept in IndexedDB until the
// server has answered them. A record is the scan as it will be sent
// ({code, action, idempotency_key, occurred_at, to?, reason?, quantity?})
// plus {org, status: "pending" | "refused", message?, queued_at}.
// Accepted scans are deleted; refused ones stay until the user dismisses them.

const DB_NAME = "bouteilles-scan";
const STORE = "queue";
let dbPromise = null;

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: "idempotency_key" });
        store.createIndex("queued_at", "queued_at");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Store (or update) a record. */
export const put = (record) => run("readwrite", (store) => store.put(record));

/** Delete a record by idempotency key. */
export const remove = (key) => run("readwrite", (store) => store.delete(key));

/** Every record, oldest scan first. */
export async function all() {
  const records = await run("readonly", (store) => store.index("queued_at").getAll());
  return records || [];
}

/** The fields of a record that go to the API. */
export function toScan(record) {
  const scan = {
    code: record.code,
    action: record.action,
    idempotency_key: record.idempotency_key,
    occurred_at: record.occurred_at,
  };
  for (const field of ["to", "reason", "quantity"]) {
    if (record[field] !== undefined && record[field] !== null && record[field] !== "") {
      scan[field] = record[field];
    }
  }
  return scan;
}
