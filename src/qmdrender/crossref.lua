--[[
crossref.lua: the Quarto features the poc1540 report uses, for pandoc's typst and html writers.

  * callouts: ::: {.callout-note|tip|warning|caution|important title="..."}; a leading
    heading is the title when there is no title attribute.
  * figures: ![Caption](path){#fig-x fig-alt="..." width=80%} and div figures
    ::: {#fig-x fig-alt="..."} (content, then the caption as the last paragraph) :::
    numbered "Figure N"; fig-alt becomes the image's alternative text (PDF: image(alt:),
    which Typst writes into the tagged PDF's structure tree; HTML: <img alt>).
  * tables: a table with a caption ": Caption {#tbl-x}" (or a ::: {#tbl-x} div holding one)
    numbered "Table N", caption above; a body row whose first cell reads "Total" (not the
    first row) gets a rule above it.
  * sections: numbered headings (number-sections, default false as in Quarto;
    {.unnumbered} opts out),
    # Heading {#sec-x} referenced as "Section N.M". As in Quarto, a document without a
    level-1 heading numbers its first level from 1 ("## Intro" is "Section 1", not 0.1): the
    HTML drops the empty first part of the number, and the PDF shifts every heading up one
    level (Quarto's shift-heading-level-by: -1 for Typst).
  * references: @fig-x, @tbl-x, @sec-x (also @Fig-x), [@fig-x], [-@fig-x] (number only),
    [Fig. @fig-x] (custom prefix). An unknown label is an error, never "??".
  * crossref options (poc1540-crossref, filled with Quarto's defaults by metadata.py):
    fig-title / tbl-title (the caption's "Figure"), fig-prefix / tbl-prefix / sec-prefix (the
    reference's "Figure"), title-delim (the ":" after the caption's number).
  * equations (PDF): their TeX source is their alternative text (PDF/UA-1 needs one).
  * citations: with a `bibliography` in the front matter, [@key] and @key that are not
    cross-references are left to pandoc's citeproc (run after this filter); without one,
    a citation is an error.

Settings come from metadata written by qmdrender (metadata.py):
  poc1540-images        path of a JSON file {src: typst path} (PDF only)
  poc1540-date-iso      YYYY-MM-DD of the document date (PDF metadata), when known
  poc1540-crossref      {fig-title, tbl-title, fig-prefix, tbl-prefix, sec-prefix, title-delim}
  number-sections       boolean
Errors are raised as "poc1540-render: <message>" for the Python side to report.
]]

local TYPST = FORMAT:match('typst') ~= nil
local stringify = pandoc.utils.stringify

local KINDS = { fig = 'Figure', tbl = 'Table', sec = 'Section' }
local CALLOUTS = {
  note = 'Note', tip = 'Tip', warning = 'Warning', caution = 'Caution', important = 'Important',
}
local NBSP = '\u{00A0}'

local images = {}          -- src as written -> typst path (absolute from the typst root)
local number_sections = false
local has_bibliography = false -- citations go to citeproc only when the document names a bibliography
local has_level_one = false  -- does any heading have level 1? (Quarto's maxHeading == 1)
-- Quarto's crossref defaults; read_settings overrides them from poc1540-crossref.
local XREF = {
  ['fig-title'] = 'Figure', ['tbl-title'] = 'Table',
  ['fig-prefix'] = 'Figure', ['tbl-prefix'] = 'Table', ['sec-prefix'] = 'Section',
  ['title-delim'] = ':',
}
local targets = {}         -- label -> { kind = 'fig'|'tbl'|'sec', number = '1.2' | nil }

local function fail(msg)
  error('poc1540-render: ' .. msg, 0)
end

local function typst_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\r?\n', ' ')
  return '"' .. s .. '"'
end

local function typst_label(id)
  if not id:match('^[%w_%-%.:]+$') then
    fail('label "' .. id .. '" has characters Typst labels cannot hold (use letters, digits, -, _)')
  end
  return '<' .. id .. '>'
end

local function typst_inlines(inlines)
  local out = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), 'typst')
  return (out:gsub('%s+$', ''))
end

local function typst_blocks(blocks)
  local out = pandoc.write(pandoc.Pandoc(blocks), 'typst')
  return (out:gsub('%s+$', ''))
end

local function callout_kind(el)
  for _, class in ipairs(el.classes) do
    local kind = class:match('^callout%-([%w]+)$')
    if kind then return kind end
  end
  return nil
end

-- Caption blocks of a Figure/Table with a label ("Figure 1: ") prepended.
local function prefix_caption(blocks, label)
  local prefix = pandoc.Inlines({ pandoc.Str(label) })
  if #blocks == 0 then
    return pandoc.Blocks({ pandoc.Plain(prefix) })
  end
  local first = blocks[1]
  if first.t == 'Plain' or first.t == 'Para' then
    prefix:insert(pandoc.Space())
    prefix:extend(first.content)
    first.content = prefix
  else
    blocks:insert(1, pandoc.Plain(prefix))
  end
  return blocks
end

-----------------------------------------------------------------------------------------
-- 1. settings and document metadata

local function read_settings(meta)
  has_bibliography = meta.bibliography ~= nil
  if meta['number-sections'] ~= nil then
    number_sections = meta['number-sections'] == true
  end
  local xref = meta['poc1540-crossref']
  if xref then
    for key, _ in pairs(XREF) do
      if xref[key] ~= nil then XREF[key] = stringify(xref[key]) end
    end
    meta['poc1540-crossref'] = nil
  end
  local images_file = meta['poc1540-images']
  if images_file then
    local fh = io.open(stringify(images_file), 'r')
    if not fh then fail('cannot read image map ' .. stringify(images_file)) end
    images = pandoc.json.decode(fh:read('a'))
    fh:close()
    meta['poc1540-images'] = nil
  end
  if TYPST then
    -- #set document(...): PDF title/author/date metadata. The date is the front-matter
    -- date or none, never the clock, so the PDF is reproducible.
    local parts = {}
    if meta.title then parts[#parts + 1] = 'title: ' .. typst_string(stringify(meta.title)) end
    if meta.author then
      local names = {}
      for _, a in ipairs(meta.author) do
        local name = (type(a) == 'table' and a.name) and a.name or a
        names[#names + 1] = typst_string(stringify(name))
      end
      if #names > 0 then
        parts[#parts + 1] = 'author: (' .. table.concat(names, ', ') .. ',)'
      end
    end
    local iso = meta['poc1540-date-iso'] and stringify(meta['poc1540-date-iso'])
    local y, m, d = (iso or ''):match('^(%d%d%d%d)%-(%d%d)%-(%d%d)$')
    if y then
      parts[#parts + 1] = string.format('date: datetime(year: %d, month: %d, day: %d)',
        tonumber(y), tonumber(m), tonumber(d))
    else
      parts[#parts + 1] = 'date: none'
    end
    meta['poc1540-typst-document'] = pandoc.RawBlock('typst',
      '#set document(' .. table.concat(parts, ', ') .. ')')
  end
  return meta
end

-----------------------------------------------------------------------------------------
-- 2. normalise callouts and div figures/tables (before numbering: a callout's title
--    heading is not a section)

local function normalise_div(div)
  local kind = callout_kind(div)
  if kind then
    if not CALLOUTS[kind] then
      fail('unknown callout type "callout-' .. kind .. '" (use callout-note, -tip, -warning, '
        .. '-caution or -important)')
    end
    local title
    local body = div.content
    if div.attributes.title then
      title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes.title, 'markdown').blocks)
    elseif #body > 0 and body[1].t == 'Header' then
      title = body[1].content
      body = body:clone()
      body:remove(1)
    else
      title = pandoc.Inlines({ pandoc.Str(CALLOUTS[kind]) })
    end
    local holder = pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr('', { 'poc-callout-title' }))
    local content = pandoc.Blocks({ holder })
    content:extend(body)
    return pandoc.Div(content, pandoc.Attr(div.identifier, { 'poc-callout', 'callout-' .. kind }))
  end

  local id = div.identifier
  if id:match('^fig%-') then
    -- Quarto div figure: the content, then the caption as the last paragraph.
    local blocks = div.content:clone()
    blocks:walk({
      Image = function(img)
        if img.identifier:match('^fig%-') then
          fail('#' .. img.identifier .. ' inside figure #' .. id .. ': sub-figures are not '
            .. 'supported by qmdrender; give each figure a div or paragraph of its own, or '
            .. 'render with --engine quarto')
        end
      end,
      Figure = function(inner)
        fail('#' .. (inner.identifier ~= '' and inner.identifier or id) .. ' inside figure #'
          .. id .. ': sub-figures are not supported by qmdrender; give each figure a div or '
          .. 'paragraph of its own, or render with --engine quarto')
      end,
    })
    local caption = pandoc.Blocks({})
    if #blocks > 1 and blocks[#blocks].t == 'Para' then
      caption = pandoc.Blocks({ pandoc.Plain(blocks[#blocks].content) })
      blocks:remove(#blocks)
    end
    if #caption == 0 then fail('figure ' .. id .. ' needs a caption (last paragraph of the div)') end
    -- An image alone in its paragraph is set as the image syntax sets it (Plain, not Para), so
    -- both syntaxes give the same figure, as Quarto's syntax test requires.
    for i, b in ipairs(blocks) do
      if b.t == 'Para' and #b.content == 1 and b.content[1].t == 'Image' then
        blocks[i] = pandoc.Plain(b.content)
      end
    end
    local attr = pandoc.Attr(id, div.classes, div.attributes)
    return pandoc.Figure(blocks, caption, attr)
  end
  if id:match('^tbl%-') then
    local tbl, rest = nil, pandoc.Blocks({})
    for _, b in ipairs(div.content) do
      if b.t == 'Table' and not tbl then tbl = b else rest:insert(b) end
    end
    if not tbl then fail('table div ' .. id .. ' holds no table') end
    if #tbl.caption.long == 0 then
      if #rest == 1 and rest[1].t == 'Para' then
        tbl.caption.long = pandoc.Blocks({ pandoc.Plain(rest[1].content) })
        rest = pandoc.Blocks({})
      else
        fail('table ' .. id .. ' needs a caption')
      end
    end
    if #rest > 0 then
      fail('#' .. id .. ': a table div holding more than one table and a caption (sub-tables) '
        .. 'is not supported by qmdrender; give each table its own caption and label, or render '
        .. 'with --engine quarto')
    end
    tbl.identifier = id
    return tbl
  end
  return nil
end

-----------------------------------------------------------------------------------------
-- 3. number figures, tables and sections in document order

local function register(id, kind, number)
  if targets[id] then fail('duplicate label "' .. id .. '"') end
  targets[id] = { kind = kind, number = number }
end

local function number_everything(doc)
  local fig, tbl = 0, 0
  local sec = {}
  return doc:walk({
    traverse = 'topdown',
    Figure = function(f)
      if f.identifier:match('^fig%-') then
        fig = fig + 1
        register(f.identifier, 'fig', tostring(fig))
      end
    end,
    Table = function(t)
      if t.identifier:match('^tbl%-') then
        if #t.caption.long == 0 then fail('table ' .. t.identifier .. ' needs a caption') end
        tbl = tbl + 1
        register(t.identifier, 'tbl', tostring(tbl))
      end
    end,
    Image = function(img)
      if img.identifier:match('^fig%-') then
        fail('figure ' .. img.identifier .. ' needs a caption and a paragraph of its own '
          .. '(![Caption](' .. img.src .. '){#' .. img.identifier .. '})')
      end
    end,
    Header = function(h)
      local number
      if number_sections and not h.classes:includes('unnumbered') then
        sec[h.level] = (sec[h.level] or 0) + 1
        for level = h.level + 1, 10 do sec[level] = nil end
        local parts = {}
        -- Quarto (crossref/format.lua, sectionNumber): without a level-1 heading in the
        -- document, the number starts at level 2 ("1", "1.1"), not "0.1".
        for level = has_level_one and 1 or 2, h.level do
          parts[#parts + 1] = tostring(sec[level] or 0)
        end
        number = table.concat(parts, '.')
        h.attributes['poc-number'] = number
      end
      if h.identifier:match('^sec%-') then register(h.identifier, 'sec', number) end
      return h
    end,
  })
end

-----------------------------------------------------------------------------------------
-- 4. resolve references; write figures, tables and headings

local function crossref_kind(id)
  local prefix = id:match('^(%a+)%-.+$')
  local kind = prefix and prefix:lower()
  return (kind and KINDS[kind]) and kind or nil
end

local function resolve_cite(cite)
  local crossrefs = 0
  for _, c in ipairs(cite.citations) do
    if crossref_kind(c.id) then crossrefs = crossrefs + 1 end
  end
  if crossrefs == 0 and has_bibliography then
    return nil -- a bibliographic citation: citeproc formats it
  end
  local out = pandoc.Inlines({})
  for i, c in ipairs(cite.citations) do
    local prefix, rest = c.id:match('^(%a+)%-(.+)$')
    local kind = crossref_kind(c.id)
    if not kind then
      if has_bibliography then
        fail('[@' .. c.id .. '] mixes a citation with cross-references in one bracket; '
          .. 'write them in separate brackets')
      end
      fail('@' .. c.id .. ' is not a cross-reference (labels start with fig-, tbl- or sec-) '
        .. 'and the document names no bibliography (add bibliography: to the front matter)')
    end
    local id = kind .. '-' .. rest
    local target = targets[id]
    if not target then
      fail('unknown cross-reference @' .. c.id .. ' (no ' .. KINDS[kind]:lower()
        .. ' has the label #' .. id .. ')')
    end
    if not target.number then
      fail('@' .. c.id .. ' refers to an unnumbered section (drop {.unnumbered} '
        .. 'or set number-sections: true)')
    end
    if i > 1 then out:extend({ pandoc.Str(','), pandoc.Space() }) end
    local supplement -- nil: number only
    local own = XREF[kind .. '-prefix']
    if prefix:match('^%u') then -- @Fig-x: the prefix capitalised, as in Quarto
      own = own:sub(1, 1):upper() .. own:sub(2)
    end
    if c.mode ~= 'SuppressAuthor' then
      supplement = (#c.prefix > 0) and c.prefix or pandoc.Inlines({ pandoc.Str(own) })
    end
    if TYPST then
      local args = 'label(' .. typst_string(id) .. ')'
      -- Typst's own supplement is the caption's title (the heading's: sec-prefix); say
      -- another only where the reference's prefix differs from it.
      local typst_default = kind == 'sec' and XREF['sec-prefix'] or XREF[kind .. '-title']
      if not supplement then
        args = args .. ', supplement: none'
      elseif #c.prefix > 0 then
        args = args .. ', supplement: [' .. typst_inlines(supplement) .. ']'
      elseif own ~= typst_default then
        args = args .. ', supplement: [' .. typst_inlines(supplement) .. ']'
      end
      out:insert(pandoc.RawInline('typst', '#ref(' .. args .. ');'))
    else
      local text = pandoc.Inlines({})
      if supplement then
        text:extend(supplement)
        text:insert(pandoc.Str(NBSP))
      end
      text:insert(pandoc.Str(target.number))
      out:insert(pandoc.Link(text, '#' .. id, '', pandoc.Attr('', { 'quarto-xref' })))
    end
    if #c.suffix > 0 then out:extend(c.suffix) end
  end
  return out
end

local function typst_length(value)
  local num, unit = value:match('^%s*([%d%.]+)%s*(%a*%%?)%s*$')
  if not num then fail('cannot read image size "' .. value .. '"') end
  if unit == '' or unit == 'px' then
    return string.format('%gpt', tonumber(num) * 0.75)
  end
  if unit == '%' or unit == 'pt' or unit == 'mm' or unit == 'cm' or unit == 'in'
      or unit == 'em' then
    return num .. unit
  end
  fail('unsupported image size unit in "' .. value .. '"')
end

local function typst_image(img, alt)
  local args = { typst_string(img.src) }
  if alt and alt ~= '' then args[#args + 1] = 'alt: ' .. typst_string(alt) end
  for _, key in ipairs({ 'width', 'height' }) do
    if img.attributes[key] then
      args[#args + 1] = key .. ': ' .. typst_length(img.attributes[key])
    end
  end
  return 'image(' .. table.concat(args, ', ') .. ')'
end

local function map_image(img)
  if TYPST then
    local mapped = images[img.src]
    if not mapped then fail('image ' .. img.src .. ' was not resolved') end
    img.src = mapped
    return img
  end
end

-- An image outside a single-image figure: #box(image(..., alt: ...)); the alt text is
-- fig-alt when given, else the image description ![this](...).
-- Equations carry their TeX source as alternative text (what a screen reader can read out;
-- PDF/UA-1, the `pdf-standard: ua-1` of the front matter, refuses an equation without one).
local function typst_math(m)
  if not TYPST then return nil end
  local code = typst_inlines({ m })
  return pandoc.RawInline('typst', '#[#set math.equation(alt: ' .. typst_string(m.text) .. '); '
    .. code .. ']')
end

local function typst_inline_image(img)
  if not TYPST then return nil end
  local alt = img.attributes['fig-alt'] or stringify(img.caption)
  return pandoc.RawInline('typst', '#box(' .. typst_image(img, alt) .. ')')
end

local function figure_images(fig)
  local found = {}
  fig.content:walk({ Image = function(img) found[#found + 1] = img end })
  return found
end

local function write_figure(fig)
  local id = fig.identifier
  local target = targets[id]
  local imgs = figure_images(fig)
  local alt = fig.attributes['fig-alt']
  if not alt and #imgs == 1 then alt = imgs[1].attributes['fig-alt'] end
  if not alt or alt == '' then alt = stringify(fig.caption.long) end -- fall back to the caption

  if TYPST then
    local body
    local only = fig.content[1]
    if #fig.content == 1 and (only.t == 'Plain' or only.t == 'Para') and #only.content == 1
        and only.content[1].t == 'Image' then
      body = typst_image(only.content[1], alt)
    else
      -- Not a single image: the figure as a whole carries the alternative text.
      body = '[' .. typst_blocks(fig.content:walk({ Image = typst_inline_image })) .. '],\n  '
        .. 'alt: ' .. typst_string(alt)
    end
    local parts = {
      body,
      'caption: [' .. typst_blocks(fig.caption.long) .. ']',
      'kind: image',
    }
    if not target then parts[#parts + 1] = 'numbering: none' end
    local code = '#figure(' .. table.concat(parts, ',\n  ') .. ')'
    if target then code = code .. ' ' .. typst_label(id) end
    return pandoc.RawBlock('typst', code)
  end

  local single = #imgs == 1
  fig.content = fig.content:walk({
    Image = function(img)
      local own = img.attributes['fig-alt']
      img.attributes['fig-alt'] = nil
      if single or own then img.caption = pandoc.Inlines({ pandoc.Str(single and alt or own) }) end
      return img
    end,
  })
  fig.attributes['fig-alt'] = nil
  if target then
    fig.caption.long = prefix_caption(fig.caption.long,
      XREF['fig-title'] .. NBSP .. target.number .. XREF['title-delim'])
  end
  return fig
end

-- A totals row (its first cell reads "Total") is ruled off from the rows it sums, booktabs
-- style. Typst's show rules cannot see which row that is, so the row says it: in Typst its
-- cells get a top stroke (the template's poc-table-rule), in HTML the row the class
-- "total". The first body row needs no rule: the header's rule is right above it.
local TOTAL_LABEL = 'Total'

local function mark_totals(tbl)
  for _, body in ipairs(tbl.bodies) do
    for i, row in ipairs(body.body) do
      local first = row.cells[1]
      if i > 1 and first and stringify(first.contents) == TOTAL_LABEL then
        if TYPST then
          for _, cell in ipairs(row.cells) do
            cell.attributes['typst:stroke'] = '(top: poc-table-rule)'
          end
        else
          row.attr.classes:insert('total')
        end
      end
    end
  end
end

local function write_table(tbl)
  local target = targets[tbl.identifier]
  mark_totals(tbl)
  if TYPST then
    if target then
      typst_label(tbl.identifier)
      return tbl -- pandoc writes #figure(..., kind: table) <tbl-x>
    end
    -- Unlabelled tables are unnumbered, as in Quarto: keep them off the table counter.
    return {
      pandoc.RawBlock('typst', '#['),
      pandoc.RawBlock('typst', '#set figure(numbering: none)'),
      tbl,
      pandoc.RawBlock('typst', ']'),
    }
  end
  if target then
    tbl.caption.long = prefix_caption(tbl.caption.long,
      XREF['tbl-title'] .. NBSP .. target.number .. XREF['title-delim'])
  end
  return tbl
end

local function write_header(h)
  local number = h.attributes['poc-number']
  h.attributes['poc-number'] = nil
  if TYPST then
    if h.identifier ~= '' then typst_label(h.identifier) end
    -- Quarto's Typst output: without a level-1 heading every heading moves up a level.
    if not has_level_one and h.level > 1 then h.level = h.level - 1 end
    return h
  end
  if number then
    local content = pandoc.Inlines({
      pandoc.Span({ pandoc.Str(number) }, pandoc.Attr('', { 'header-section-number' })),
      pandoc.Space(),
    })
    content:extend(h.content)
    h.content = content
  end
  return h
end

-----------------------------------------------------------------------------------------
-- 5. write callouts

local function write_callout(div)
  if not div.classes:includes('poc-callout') then return nil end
  local kind = callout_kind(div)
  local title = div.content[1].content[1].content
  local body = div.content:clone()
  body:remove(1)
  if TYPST then
    local blocks = pandoc.Blocks({
      pandoc.RawBlock('typst', '#callout(kind: ' .. typst_string(kind)
        .. ', title: [' .. typst_inlines(title) .. '])['),
    })
    blocks:extend(body)
    blocks:insert(pandoc.RawBlock('typst', ']'))
    return blocks
  end
  return pandoc.Div({
    pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr('', { 'callout-title' })),
    pandoc.Div(body, pandoc.Attr('', { 'callout-body' })),
  }, pandoc.Attr(div.identifier, { 'callout', 'callout-' .. kind }))
end

-- Quarto looks for a level-1 heading in the source as written (callout titles included).
local function find_level_one(doc)
  doc:walk({ Header = function(h) if h.level == 1 then has_level_one = true end end })
end

return {
  { Pandoc = find_level_one },
  { Meta = read_settings },
  { Div = normalise_div },
  { Pandoc = number_everything },
  {
    Image = map_image,
    Cite = resolve_cite,
    Figure = write_figure,
    Table = write_table,
    Header = write_header,
  },
  { Image = typst_inline_image, Div = write_callout, Math = typst_math },
}
