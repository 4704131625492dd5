// Renders Mermaid files in one headless Chromium page and reports every file
// that does not parse or render cleanly.
//
//   node render.mjs PUPPETEER_CONFIG OUT_DIR FILE.mmd...
//
// The Mermaid bundle is the one the pinned @mermaid-js/mermaid-cli loads
// (its mermaid dependency, pinned by the package.json beside this script's
// copy). By default every diagram is rendered with mermaid.render in one page
// loaded once, as GitHub renders a comment: tens of milliseconds a diagram.
// With SMPIPE_MERMAID_CLI=1 each file goes through mermaid-cli's own
// renderMermaid instead (a fresh page per file, about five seconds each).
//
// Exit status: 0 when every file rendered, 1 otherwise.
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import puppeteer from 'puppeteer'
import { renderMermaid } from '@mermaid-js/mermaid-cli'

const [configPath, outDir, ...files] = process.argv.slice(2)
if (!configPath || !outDir) {
  console.error('usage: node render.mjs PUPPETEER_CONFIG OUT_DIR FILE.mmd...')
  process.exit(2)
}

// GitHub's limit; Mermaid swaps an over-long diagram for an error picture
// instead of failing, so the size is checked here.
const maxTextSize = 50000
const perFileTimeoutMs = 60000

// Text Mermaid draws in place of what it could not handle.
const badOutput = [
  'Syntax error in text',
  'Maximum text size in diagram exceeded',
  'Unsupported markdown',
]

const require = createRequire(import.meta.url)
const puppeteerMajor = Number(require('puppeteer/package.json').version.split('.')[0])
const mermaidVersion = require('mermaid/package.json').version
const config = JSON.parse(await readFile(configPath, 'utf8'))
// Chromium no longer has the old headless mode that puppeteer before 22
// asks for by default.
const headless = puppeteerMajor < 22 ? 'new' : true
const browser = await puppeteer.launch({ headless, ...config })

// renderInPage loads the bundle once and renders each diagram in that page.
async function pageRenderer () {
  const page = await browser.newPage()
  await page.setContent('<!doctype html><html><body></body></html>')
  await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') })
  await page.evaluate(() => {
    globalThis.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' })
  })
  console.log(`mermaid ${mermaidVersion} (puppeteer ${puppeteerMajor}, one page)`)
  let n = 0
  return async (text) => {
    n++
    return page.evaluate(async (text, id) => {
      const { svg } = await globalThis.mermaid.render(id, text)
      return svg
    }, text, `diagram${n}`)
  }
}

async function cliRenderer () {
  console.log(`mermaid ${mermaidVersion} through mermaid-cli renderMermaid (puppeteer ${puppeteerMajor}, a page per file)`)
  return async (text) => {
    const { data } = await renderMermaid(browser, text, 'svg', {})
    return Buffer.from(data).toString('utf8')
  }
}

function withTimeout (promise) {
  let timer
  const timeout = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${perFileTimeoutMs} ms`)), perFileTimeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

await mkdir(outDir, { recursive: true })
let failed = 0
try {
  const render = process.env.SMPIPE_MERMAID_CLI === '1' ? await cliRenderer() : await pageRenderer()
  for (const file of files) {
    const name = path.basename(file)
    try {
      const text = await readFile(file, 'utf8')
      if (text.length > maxTextSize) {
        throw new Error(`${text.length} characters, over Mermaid's maxTextSize of ${maxTextSize}`)
      }
      const svg = await withTimeout(render(text))
      for (const bad of badOutput) {
        if (svg.includes(bad)) {
          throw new Error(`the picture says "${bad}"`)
        }
      }
      await writeFile(path.join(outDir, name.replace(/\.mmd$/, '.svg')), svg)
    } catch (err) {
      failed++
      const message = String(err && err.message ? err.message : err).split('\n').slice(0, 6).join('\n     ')
      console.log(`FAIL ${file}\n     ${message}`)
    }
  }
} finally {
  await browser.close()
}
console.log(`${files.length - failed} of ${files.length} diagrams rendered`)
process.exit(failed === 0 ? 0 : 1)
