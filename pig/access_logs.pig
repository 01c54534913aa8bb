-- The daily batch's log normalization (DAG activity_daily_batch, task pig_access_logs, via access_logs.sh):
-- one day's access lines of every site, as Flume left them in /logs/{app}/access/dt=DAY/, parsed into the fields
-- of Hive `access_logs` (hive/ddl/40-access-logs.sql), one output folder per site; every line that does not parse
-- goes to `rejected_access_lines` with its file and the reason. Nothing is dropped: lines in = rows + rejects.
--
--   pig -stop_on_failure -param day=2026-12-01 -param logs=/logs -param out=/tmp/access_logs-run \
--       -param table=/data/warehouse/access_logs -param rejects=/data/warehouse/rejected_access_lines access_logs.pig
--
-- The rows are written to `out` first, then the day's partitions (folders app_id=APP/dt=DAY of `table`, dt=DAY of
-- `rejects`) are replaced by them: running a day again leaves the same rows. access_logs.sh runs it and registers
-- the partitions in Hive.
--
-- It reads the four shapes of the Common Log Format family that `lab replay` accepts (docs/access-log-formats.md:
-- common, combined, vcommon, vcombined, extra fields after the user agent) with the same rules as the lab's Python
-- parser (activitylab/clf.py): a line parses only when its whole shape matches and its time is a real instant.
-- Its output is Hive's text format: fields separated by \u0001, NULL written \N.

SET job.name 'access_logs $day';
SET default_parallel 1;

-- Each line whole (no field separator can occur inside a line), tagged with the file it came from.
lines = LOAD '$logs/*/access/dt=$day' USING PigStorage('\n', '-tagPath') AS (file:chararray, line:chararray);

-- One regular expression for the four shapes: an optional virtual host, host ident authuser [time] "request"
-- status bytes, then optionally "referrer" "agent" and the extra fields as written. A quoted field may hold
-- backslash escapes; it is written unrolled ([^"\\]*(\\.[^"\\]*)*) so long fields do not recurse in Java's regex.
-- Groups: 1 vhost, 2 host, 3 ident, 4 authuser, 5 time, 6 request, 7 status, 8 bytes, 9 referrer, 10 agent, 11 extras
matched = FOREACH lines GENERATE
    REGEX_EXTRACT(file, '.*/([^/]+)/access/dt=[^/]+/[^/]+', 1) AS app_id,
    file, line,
    REGEX_EXTRACT_ALL(line,
        '(?:(\\S+) )?(\\S+) (\\S+) (\\S+) \\[([^\\]]*)\\] "([^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+)" ([0-9]{3}) ([0-9]+|-)(?: "([^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+)" "([^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+)"((?: (?:"[^"\\\\]*+(?:\\\\.[^"\\\\]*+)*+"|[^\\s"]\\S*))*))?'
    ) AS f;

-- The time's parts: dd/Mon/yyyy:HH:MM:SS +hhmm (English month names).
timed = FOREACH matched GENERATE app_id, file, line, f,
    REGEX_EXTRACT_ALL(f.$4,
        '([0-9]{2})/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) [+-]([0-9]{2})([0-9]{2})'
    ) AS t;

-- A real instant: a day the month has (leap years too), hour < 24, minute and second < 60, year >= 1 and an offset
-- within +-18:00 (what Java's ZoneOffset, Flume and the Python parser accept). Checked before ToDate, which would
-- fail the whole job on the first 31/Feb.
numbers = FOREACH timed GENERATE app_id, file, line, f, t,
    (t IS NULL ? -1 : (int) t.$0) AS day_of_month,
    (t IS NULL ? -1 : INDEXOF('JanFebMarAprMayJunJulAugSepOctNovDec', t.$1, 0) / 3 + 1) AS month,
    (t IS NULL ? -1 : (int) t.$2) AS year;
checked = FOREACH numbers GENERATE app_id, file, line, f,
    -- The lab's sites (activity_contract/names.py APPS; a unit test keeps this list equal to it): a folder of /logs
    -- that is no site of the lab is rejected, not guessed.
    (NOT app_id IN ('shop', 'news', 'learn') ? CONCAT('no site of the lab is called ', app_id) :
     (f IS NULL ? 'not an access line of the Common Log Format family (common, combined, vcommon, vcombined)' :
     (t IS NULL ? 'time is not dd/Mon/yyyy:HH:MM:SS +zzzz' :
      (year >= 1
       AND day_of_month >= 1
       AND day_of_month <= (month == 2 ? (((year % 4 == 0 AND year % 100 != 0) OR year % 400 == 0) ? 29 : 28) :
                           ((month == 4 OR month == 6 OR month == 9 OR month == 11) ? 30 : 31))
       AND (int) t.$3 < 24 AND (int) t.$4 < 60 AND (int) t.$5 < 60
       AND (int) t.$7 < 60 AND (int) t.$6 * 60 + (int) t.$7 <= 18 * 60
       ? '' : CONCAT('time is not a real instant: ', f.$4))))) AS problem;

SPLIT checked INTO good IF problem == '', bad OTHERWISE;

-- Apache's escapes of a quote and a backslash undone in quoted fields (nginx's \x22 kept as written), the request
-- split like clf.py: "METHOD PATH" or "METHOD PATH PROTOCOL", anything else leaves the three empty.
unquoted = FOREACH good GENERATE app_id, f,
    ToString(ToDate(f.$4, 'dd/MMM/yyyy:HH:mm:ss Z', 'UTC'), 'yyyy-MM-dd HH:mm:ss') AS request_time,
    REPLACE(f.$5, '\\\\(["\\\\])', '$1') AS request,
    REPLACE(f.$8, '\\\\(["\\\\])', '$1') AS referrer,
    REPLACE(f.$9, '\\\\(["\\\\])', '$1') AS agent;
normalized = FOREACH unquoted {
    parts = REGEX_EXTRACT_ALL(request, '([^ ]*) ([^ ]*)(?: ([^ ]*))?');
    GENERATE app_id,
        (f.$0 IS NULL ? '\\N' : f.$0) AS vhost,
        f.$1 AS host, f.$2 AS ident, f.$3 AS authuser,
        request_time,
        (parts.$0 IS NULL ? '\\N' : parts.$0) AS method,
        (parts.$1 IS NULL ? '\\N' : parts.$1) AS path,
        (parts.$2 IS NULL ? '\\N' : parts.$2) AS protocol,
        request,
        f.$6 AS status,
        (f.$7 == '-' ? '\\N' : f.$7) AS bytes,
        (referrer IS NULL ? '\\N' : referrer) AS referrer,
        (agent IS NULL ? '\\N' : agent) AS agent,
        (f.$10 IS NULL OR f.$10 == '' ? '\\N' : REGEX_EXTRACT(f.$10, ' (.*)', 1)) AS extras;
};

-- One folder per site (the sites' names as in `checked` above).
SPLIT normalized INTO shop IF app_id == 'shop', news IF app_id == 'news', learn IF app_id == 'learn';

STORE (FOREACH shop GENERATE $1 ..) INTO '$out/app_id=shop' USING PigStorage('\u0001');
STORE (FOREACH news GENERATE $1 ..) INTO '$out/app_id=news' USING PigStorage('\u0001');
STORE (FOREACH learn GENERATE $1 ..) INTO '$out/app_id=learn' USING PigStorage('\u0001');
STORE (FOREACH bad GENERATE file, line, problem) INTO '$out/rejected' USING PigStorage('\u0001');

-- Publishing (Pig runs the STOREs above first; run with -stop_on_failure, as access_logs.sh does, it stops if
-- they fail and the day's old partitions stay): the day's partitions replaced.
fs -rm -r -f -skipTrash $table/app_id=shop/dt=$day $table/app_id=news/dt=$day $table/app_id=learn/dt=$day $rejects/dt=$day;
fs -mkdir -p $table/app_id=shop $table/app_id=news $table/app_id=learn $rejects;
fs -mv $out/app_id=shop $table/app_id=shop/dt=$day;
fs -mv $out/app_id=news $table/app_id=news/dt=$day;
fs -mv $out/app_id=learn $table/app_id=learn/dt=$day;
fs -mv $out/rejected $rejects/dt=$day;
fs -rm -r -f -skipTrash $out;
