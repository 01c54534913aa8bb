-- The smoke check of Pig on YARN (DAG lab_smoke): counts the lines of a file per first word.
-- pig -param input=HDFS_FILE -param output=HDFS_FOLDER lab_smoke.pig
lines = LOAD '$input' USING PigStorage(' ') AS (word:chararray, rest:chararray);
by_word = GROUP lines BY word;
counts = FOREACH by_word GENERATE group AS word, COUNT(lines) AS n;
STORE counts INTO '$output' USING PigStorage('\t');
