package org.activitylab.flume;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;

/**
 * Gives every log line the `timestamp` header of its own time, so the HDFS sink files it under the
 * day it happened (dt=%Y-%m-%d in UTC), replayed 1995 logs included.
 *
 *   format = clf   [01/Jul/1995:00:00:01 -0400]    (access logs, Common or Combined Log Format)
 *   format = iso   2026-11-23T19:34:05.123Z          (error and performance logs)
 *
 * Dates are read strictly (31/Feb is no date). A line without a readable time (a traceback line, a
 * hand-edited line) keeps the time it was read at and gets header line_time=read: it still ships,
 * and it never stops the source, unlike Flume's regex_extractor whose parse errors are retried forever.
 */
public class LineTimeInterceptor implements Interceptor {
  private static final Pattern CLF = Pattern.compile(
      "\\[(\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\]");
  private static final Pattern ISO = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z)");
  private static final DateTimeFormatter CLF_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/uuuu:HH:mm:ss Z", Locale.ENGLISH).withResolverStyle(ResolverStyle.STRICT);

  private final boolean clf;

  LineTimeInterceptor(boolean clf) {
    this.clf = clf;
  }

  /** The line's own time in epoch milliseconds, or null. */
  static Long lineTime(String line, boolean clf) {
    Matcher m = (clf ? CLF : ISO).matcher(line);
    if (!m.find()) {
      return null;
    }
    try {
      return clf ? OffsetDateTime.parse(m.group(1), CLF_TIME).toInstant().toEpochMilli()
                 : Instant.parse(m.group(1)).toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public void initialize() {
  }

  @Override
  public Event intercept(Event event) {
    // ISO-8859-1 maps each byte to one char: any byte sequence is read, nothing is altered.
    Long time = lineTime(new String(event.getBody(), StandardCharsets.ISO_8859_1), clf);
    Map<String, String> headers = event.getHeaders();
    if (time != null) {
      headers.put("timestamp", Long.toString(time));
      headers.put("line_time", "line");
    } else {
      headers.put("timestamp", Long.toString(System.currentTimeMillis()));
      headers.put("line_time", "read");
    }
    return event;
  }

  @Override
  public List<Event> intercept(List<Event> events) {
    for (Event event : events) {
      intercept(event);
    }
    return events;
  }

  @Override
  public void close() {
  }

  /** a1.sources.X.interceptors.t.type = org.activitylab.flume.LineTimeInterceptor$Builder */
  public static class Builder implements Interceptor.Builder {
    private boolean clf = true;

    @Override
    public void configure(Context context) {
      String format = context.getString("format", "clf");
      if (!format.equals("clf") && !format.equals("iso")) {
        throw new IllegalArgumentException("LineTimeInterceptor: format must be clf or iso, not " + format);
      }
      clf = format.equals("clf");
    }

    @Override
    public Interceptor build() {
      return new LineTimeInterceptor(clf);
    }
  }
}
