import type { ApiError, DownloadState } from "@quantdeck/shared";
import type { Db } from "../store/openDatabase.js";

export interface StoredDownload {
  id: string;
  repo: string;
  revision: string;
  include: string[];
  state: DownloadState;
  error: ApiError | null;
  createdAt: number;
}

export interface StoredFile {
  path: string;
  size: number;
  sha256: string | null;
  etag: string | null;
  state: "pending" | "done";
}

/** Download state in SQLite: jobs, their files, and which chunks of each are on disk. */
export class DownloadStore {
  constructor(private readonly db: Db) {}

  insert(download: StoredDownload, files: Omit<StoredFile, "etag" | "state">[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          "INSERT INTO downloads (id, repo, revision, include, state, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
        )
        .run(
          download.id,
          download.repo,
          download.revision,
          JSON.stringify(download.include),
          download.state,
          download.createdAt,
          download.createdAt,
        );
      const insertFile = this.db.prepare(
        "INSERT INTO download_files (download_id, path, size, sha256, etag, state) VALUES (?, ?, ?, ?, NULL, 'pending')",
      );
      for (const file of files) insertFile.run(download.id, file.path, file.size, file.sha256);
    })();
  }

  list(): StoredDownload[] {
    return (
      this.db.prepare("SELECT * FROM downloads ORDER BY created_at").all() as DownloadRow[]
    ).map(fromRow);
  }

  get(id: string): StoredDownload | undefined {
    const row = this.db.prepare("SELECT * FROM downloads WHERE id = ?").get(id) as
      DownloadRow | undefined;
    return row && fromRow(row);
  }

  files(id: string): StoredFile[] {
    return this.db
      .prepare(
        "SELECT path, size, sha256, etag, state FROM download_files WHERE download_id = ? ORDER BY path",
      )
      .all(id) as StoredFile[];
  }

  doneChunks(id: string, path: string): Set<number> {
    const rows = this.db
      .prepare("SELECT chunk FROM download_chunks WHERE download_id = ? AND path = ?")
      .all(id, path) as { chunk: number }[];
    return new Set(rows.map((r) => r.chunk));
  }

  /** Records chunks as on disk, in one transaction (one disk sync for all of them). */
  markChunks(id: string, path: string, chunks: number[]): void {
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO download_chunks (download_id, path, chunk) VALUES (?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const chunk of chunks) insert.run(id, path, chunk);
    })();
  }

  setEtag(id: string, path: string, etag: string): void {
    this.db
      .prepare("UPDATE download_files SET etag = ? WHERE download_id = ? AND path = ?")
      .run(etag, id, path);
  }

  setFileState(id: string, path: string, state: StoredFile["state"]): void {
    this.db
      .prepare("UPDATE download_files SET state = ? WHERE download_id = ? AND path = ?")
      .run(state, id, path);
  }

  /** Forgets every chunk of a file: it will be fetched again from the start. */
  resetFile(id: string, path: string): void {
    this.db.transaction(() => {
      this.db
        .prepare("DELETE FROM download_chunks WHERE download_id = ? AND path = ?")
        .run(id, path);
      this.db
        .prepare(
          "UPDATE download_files SET etag = NULL, state = 'pending' WHERE download_id = ? AND path = ?",
        )
        .run(id, path);
    })();
  }

  setState(id: string, state: DownloadState, error: ApiError | null = null): void {
    this.db
      .prepare("UPDATE downloads SET state = ?, error = ?, updated_at = ? WHERE id = ?")
      .run(state, error ? JSON.stringify(error) : null, Date.now(), id);
  }
}

interface DownloadRow {
  id: string;
  repo: string;
  revision: string;
  include: string;
  state: DownloadState;
  error: string | null;
  created_at: number;
}

function fromRow(r: DownloadRow): StoredDownload {
  return {
    id: r.id,
    repo: r.repo,
    revision: r.revision,
    include: JSON.parse(r.include) as string[],
    state: r.state,
    error: r.error ? (JSON.parse(r.error) as ApiError) : null,
    createdAt: r.created_at,
  };
}
