-- The databases HiveServer2 serves (the lab's is `activity`).
SHOW DATABASES;
