# Sourced by .ci/run: Debian's chromium and its WebDriver (chromium-driver) for the browser tests
# (tests/web/test_browser.py drives the seat page with Selenium; tests/exchange/test_minutes_html.py prints the HTML
# minutes to PDF) and poppler-utils (pdftotext). Installed with apt-get when missing; nothing is downloaded by
# Selenium Manager (the tests pass the driver's path). Any failure here fails CI (set -e in .ci/run).

install_browser() {
  local sudo="" missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci: ${missing[*]} missing and no apt-get to install them" >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "ci: installed ${missing[*]}"
}
