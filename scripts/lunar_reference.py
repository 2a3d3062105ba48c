#!/usr/bin/env python3
"""Independent reference for the Vietnamese lunar calendar, from the PyEphem ephemeris.

Writes one line per lunar month, `lunarYear<TAB>month<TAB>leap<TAB>firstDay<TAB>margin`, for the months
that start between 1900-01-01 and 2100-12-31, computed at UTC+7 with the same three rules
`LunarCalendar` implements (month starts on the new-moon day, month 11 holds the December
solstice, the first month without a principal term in a 13-month year is leap), but from
PyEphem's VSOP87/ELP ephemeris instead of Meeus' series. `margin` is how many seconds after local
midnight the new moon fell: where it is within a minute, the two ephemerides and ΔT models can
honestly disagree on the day, and the test reports those months instead of failing on them.

The output is committed as Tests/MotCuaCoreTests/Fixtures/lunar-months-ephem.tsv and compared
month by month in the test suite. Regenerate with:
    pip install ephem && python3 scripts/lunar_reference.py > Tests/MotCuaCoreTests/Fixtures/lunar-months-ephem.tsv
"""
import datetime
import math

import ephem

TZ = 7 / 24


def local_day(d):
    """The local (UTC+7) date of ephem date `d`."""
    return (ephem.Date(d + TZ)).datetime().date()


def sun_longitude(d):
    sun = ephem.Sun(d)
    ecl = ephem.Ecliptic(ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=d), epoch=d)
    return math.degrees(ecl.lon) % 360


def term_time(target, around):
    """The instant the Sun's longitude reaches `target` degrees, near `around`."""
    lo, hi = ephem.Date(around - 20), ephem.Date(around + 20)

    def diff(t):
        return (sun_longitude(t) - target + 180) % 360 - 180

    for _ in range(60):
        mid = ephem.Date((lo + hi) / 2)
        if diff(mid) < 0:
            lo = mid
        else:
            hi = mid
    return ephem.Date((lo + hi) / 2)


MARGINS = {}


def new_moon_days(start, end):
    days = []
    d = ephem.previous_new_moon(ephem.Date(start))
    while True:
        day = local_day(d)
        days.append(day)
        local = ephem.Date(d + TZ).datetime()
        MARGINS[day] = local.hour * 3600 + local.minute * 60 + local.second
        if days[-1] > end:
            break
        d = ephem.next_new_moon(ephem.Date(d + 1))
    return days


def principal_terms(start_year, end_year):
    """Local days of every principal term (multiples of 30°) over the years."""
    days = []
    for year in range(start_year, end_year + 1):
        for month in range(1, 13):
            guess = ephem.Date(datetime.datetime(year, month, 21))
            lon = sun_longitude(guess)
            target = round(lon / 30) * 30 % 360
            days.append(local_day(term_time(target, guess)))
    return sorted(set(days))


def main():
    starts = new_moon_days(datetime.date(1898, 10, 1), datetime.date(2102, 3, 1))
    terms = principal_terms(1898, 2102)
    solstices = {}
    for year in range(1898, 2102):
        solstices[year] = local_day(term_time(270, ephem.Date(datetime.datetime(year, 12, 21))))

    def has_term(i):
        return any(starts[i] <= t < starts[i + 1] for t in terms if starts[i] - datetime.timedelta(days=40) < t)

    def month11(year):
        s = solstices[year]
        for i in range(len(starts) - 1):
            if starts[i] <= s < starts[i + 1]:
                return i
        raise ValueError(year)

    out = []
    for year in range(1899, 2102):
        a, b = month11(year - 1), month11(year)
        leap = None
        if b - a == 13:
            for j in range(1, 13):
                if not has_term(a + j):
                    leap = j
                    break
        number, lunar_year = 10, year - 1
        for j in range(b - a):
            is_leap = j == leap
            if not is_leap:
                number += 1
                if number == 13:
                    number, lunar_year = 1, year
            first = starts[a + j]
            if datetime.date(1900, 1, 1) <= first <= datetime.date(2100, 12, 31):
                margin = MARGINS[first]
                margin = margin if margin < 43200 else margin - 86400
                out.append((lunar_year, number, int(is_leap), first.isoformat(), margin))
    for row in out:
        print("\t".join(str(x) for x in row))


if __name__ == "__main__":
    main()
