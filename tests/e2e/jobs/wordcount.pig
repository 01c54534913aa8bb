-- Test script: word counts of a text file on HDFS, as tab-separated (word, count) lines.
-- pig -param input=HDFS_FILE -param output=HDFS_FOLDER wordcount.pig
lines = LOAD '$input' USING TextLoader() AS (line:chararray);
words = FOREACH lines GENERATE FLATTEN(TOKENIZE(line)) AS word;
by_word = GROUP words BY word;
counts = FOREACH by_word GENERATE group AS word, COUNT(words) AS n;
STORE counts INTO '$output' USING PigStorage('\t');
