import Foundation

/// The two astronomical quantities the lunisolar calendar is defined by: the instants of new moon
/// and the apparent longitude of the Sun. Formulas from J. Meeus, *Astronomical Algorithms*
/// (2nd ed.): chapter 49 (phases of the Moon, full periodic terms, accurate to well under a
/// minute over 1900–2100) and chapter 25 (solar coordinates, low accuracy, ~0.01°, which is
/// about a quarter of an hour of the Sun's motion). ΔT follows the Espenak–Meeus polynomials.
enum Astronomy {
    static let synodicMonth = 29.530588861
    /// JDE of the mean new moon with lunation number k = 0 (6 January 2000).
    static let lunationEpoch = 2451550.09766

    @inline(__always) static func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }

    /// The Julian Date (UT) of the true new moon with lunation number `k` (k = 0: January 2000).
    static func newMoon(lunation k: Int) -> Double {
        let k = Double(k)
        let t = k / 1236.85
        let t2 = t * t, t3 = t2 * t, t4 = t3 * t
        var jde = lunationEpoch + synodicMonth * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4
        let e = 1 - 0.002516 * t - 0.0000074 * t2
        let m = radians(2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3)
        let mp = radians(201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4)
        let f = radians(160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4)
        let omega = radians(124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3)

        var c = -0.40720 * sin(mp)
        c += 0.17241 * e * sin(m)
        c += 0.01608 * sin(2 * mp)
        c += 0.01039 * sin(2 * f)
        c += 0.00739 * e * sin(mp - m)
        c -= 0.00514 * e * sin(mp + m)
        c += 0.00208 * e * e * sin(2 * m)
        c -= 0.00111 * sin(mp - 2 * f)
        c -= 0.00057 * sin(mp + 2 * f)
        c += 0.00056 * e * sin(2 * mp + m)
        c -= 0.00042 * sin(3 * mp)
        c += 0.00042 * e * sin(m + 2 * f)
        c += 0.00038 * e * sin(m - 2 * f)
        c -= 0.00024 * e * sin(2 * mp - m)
        c -= 0.00017 * sin(omega)
        c -= 0.00007 * sin(mp + 2 * m)
        c += 0.00004 * sin(2 * mp - 2 * f)
        c += 0.00004 * sin(3 * m)
        c += 0.00003 * sin(mp + m - 2 * f)
        c += 0.00003 * sin(2 * mp + 2 * f)
        c -= 0.00003 * sin(mp + m + 2 * f)
        c += 0.00003 * sin(mp - m + 2 * f)
        c -= 0.00002 * sin(mp - m - 2 * f)
        c -= 0.00002 * sin(3 * mp + m)
        c += 0.00002 * sin(4 * mp)
        jde += c

        // Planetary arguments.
        let a: [(Double, Double, Double)] = [
            (299.77, 0.107408, 0.000325), (251.88, 0.016321, 0.000165), (251.83, 26.651886, 0.000164),
            (349.42, 36.412478, 0.000126), (84.66, 18.206239, 0.000110), (141.74, 53.303771, 0.000062),
            (207.14, 2.453732, 0.000060), (154.84, 7.306860, 0.000056), (34.52, 27.261239, 0.000047),
            (207.19, 0.121824, 0.000042), (291.34, 1.844379, 0.000040), (161.72, 24.198154, 0.000037),
            (239.56, 25.513099, 0.000035), (331.55, 3.592518, 0.000023),
        ]
        for (index, (base, rate, coefficient)) in a.enumerated() {
            var angle = base + rate * k
            if index == 0 { angle -= 0.009173 * t2 }
            jde += coefficient * sin(radians(angle))
        }
        return jde - deltaT(julianDate: jde) / 86400
    }

    /// Apparent geometric longitude of the Sun, in degrees [0, 360), at Julian Date `jd` (UT).
    static func sunLongitude(julianDate jd: Double) -> Double {
        let jde = jd + deltaT(julianDate: jd) / 86400
        let t = (jde - 2451545.0) / 36525
        let t2 = t * t
        let l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t2
        let m = radians(357.52911 + 35999.05029 * t - 0.0001537 * t2)
        let c = (1.914602 - 0.004817 * t - 0.000014 * t2) * sin(m)
            + (0.019993 - 0.000101 * t) * sin(2 * m)
            + 0.000289 * sin(3 * m)
        let omega = radians(125.04 - 1934.136 * t)
        let lambda = l0 + c - 0.00569 - 0.00478 * sin(omega)
        let normalized = lambda.truncatingRemainder(dividingBy: 360)
        return normalized < 0 ? normalized + 360 : normalized
    }

    /// ΔT = TT − UT in seconds (Espenak & Meeus, NASA Five Millennium Canon, 2006).
    static func deltaT(julianDate jd: Double) -> Double {
        let y = 2000 + (jd - 2451544.5) / 365.2425
        switch y {
        case ..<1900:
            let t = y - 1860
            return 7.62 + 0.5737 * t - 0.251754 * t * t + 0.01680668 * pow(t, 3)
                - 0.0004473624 * pow(t, 4) + pow(t, 5) / 233174
        case ..<1920:
            let t = y - 1900
            return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * pow(t, 3) - 0.000197 * pow(t, 4)
        case ..<1941:
            let t = y - 1920
            return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * pow(t, 3)
        case ..<1961:
            let t = y - 1950
            return 29.07 + 0.407 * t - t * t / 233 + pow(t, 3) / 2547
        case ..<1986:
            let t = y - 1975
            return 45.45 + 1.067 * t - t * t / 260 - pow(t, 3) / 718
        case ..<2005:
            let t = y - 2000
            return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * pow(t, 3)
                + 0.000651814 * pow(t, 4) + 0.00002373599 * pow(t, 5)
        case ..<2050:
            let t = y - 2000
            return 62.92 + 0.32217 * t + 0.005589 * t * t
        case ..<2150:
            let u = (y - 1820) / 100
            return -20 + 32 * u * u - 0.5628 * (2150 - y)
        default:
            let u = (y - 1820) / 100
            return -20 + 32 * u * u
        }
    }
}
