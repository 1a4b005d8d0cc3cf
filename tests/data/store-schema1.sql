-- A deployments store written by the first release (schema 1), as `sqlite3 .dump`.
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE deployments (
        id TEXT PRIMARY KEY,
        grp TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        model_uri TEXT NOT NULL,
        model_name TEXT NOT NULL,
        served_version TEXT,
        replicas INTEGER NOT NULL,
        env TEXT NOT NULL DEFAULT '[]',
        access TEXT NOT NULL,
        desired TEXT NOT NULL,
        phase TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        endpoint TEXT,
        backend TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        history TEXT NOT NULL DEFAULT '[]',
        runtime TEXT NOT NULL DEFAULT '{}'
    );
INSERT INTO "deployments" VALUES('iris-prod-abc121','team','iris prod','the first','models:/iris/1','iris','1',1,'[{"name": "MODE", "value": "fast"}]','private','running','Deployed','',NULL,'local',1764547200001,1796138520053,1,'[{"model_uri": "models:/iris/1", "at": 1764547200001, "status": "created"}]','{"replicas": [{"pid": 1, "socket": "/nonexistent/s.sock"}]}');
INSERT INTO "deployments" VALUES('iris-canary-abc122','team','iris canary','','models:/iris/2','iris','2',1,'[]','private','stopped','Stopped','',NULL,'local',1764547200002,1764547200002,1,'[]','{}');
INSERT INTO "deployments" VALUES('old-one-abc123','team','old one','','models:/iris/3','iris','3',1,'[]','private','deleted','Stopped','',NULL,'local',1764547200003,1764547200003,1,'[]','{}');
CREATE UNIQUE INDEX deployments_live_names ON deployments (grp, name)
        WHERE desired != 'deleted';
CREATE INDEX deployments_by_model ON deployments (grp, model_name);
COMMIT;
