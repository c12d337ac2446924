package syntax

// Type literals (about_Type_Accelerators, about_Type_Conversion, about_Types): [int], [string[]],
// [Net.ServicePointManager], [System.Collections.Generic.List[string]], [Dictionary[string,int]],
// [int[,]]. They are read character by character, as PowerShell's tokenizer does in its type-name mode.

// parseTypeLiteralRest parses a type literal after its [ (at open) up to and including its ].
// Attributes, [Name(arguments)], are not implemented.
func (p *parser) parseTypeLiteralRest(open int) *TypeName {
	typ := p.parseTypeName(open)
	p.skipTypeSpace()
	switch p.lx.peek() {
	case ']':
		p.lx.pos++
		return typ
	case '(':
		p.unsupported(open, "attributes such as ["+typ.Name+"(...)]")
	}
	p.fail(p.lx.pos, msgMissingEndOfAttribute)
	return nil
}

// skipTypeSpace skips white space and newlines inside a type literal.
func (p *parser) skipTypeSpace() {
	for c := p.lx.peek(); isSpace(c) || isNewline(c); c = p.lx.peek() {
		p.lx.pos++
	}
}

// parseTypeName parses a name, its generic arguments and its array ranks.
func (p *parser) parseTypeName(open int) *TypeName {
	p.enter(open)
	defer p.leave()
	p.skipTypeSpace()
	start := p.lx.pos
	for isTypeNameChar(p.lx.peek()) {
		p.lx.pos++
	}
	if p.lx.pos == start {
		p.fail(open, msgMissingTypename)
	}
	typ := &TypeName{Name: string(p.lx.src[start:p.lx.pos])}
	typ.Pos = p.pos(open)
	for {
		save := p.lx.pos
		p.skipTypeSpace()
		if p.lx.peek() != '[' {
			p.lx.pos = save
			return typ
		}
		bracket := p.lx.pos
		p.lx.pos++
		p.skipTypeSpace()
		switch c := p.lx.peek(); {
		case c == ']' || c == ',':
			rank := 1
			for p.lx.peek() == ',' {
				rank++
				p.lx.pos++
				p.skipTypeSpace()
			}
			if p.lx.peek() != ']' {
				p.fail(p.lx.pos, msgMissingEndOfType)
			}
			p.lx.pos++
			typ.ArrayRanks = append(typ.ArrayRanks, rank)
		case len(typ.ArrayRanks) > 0:
			p.fail(bracket, msgMissingEndOfType)
		case len(typ.Args) > 0:
			p.fail(bracket, msgMissingEndOfType)
		default:
			typ.Args = p.parseGenericArgs()
		}
	}
}

// parseGenericArgs parses the arguments of a generic type after its [ up to its ].
func (p *parser) parseGenericArgs() []*TypeName {
	var args []*TypeName
	for {
		p.skipTypeSpace()
		if p.lx.peek() == '[' {
			inner := p.lx.pos
			p.lx.pos++
			arg := p.parseTypeName(inner)
			p.skipTypeSpace()
			if p.lx.peek() != ']' {
				p.unsupported(inner, "assembly-qualified type names")
			}
			p.lx.pos++
			args = append(args, arg)
		} else {
			args = append(args, p.parseTypeName(p.lx.pos))
		}
		p.skipTypeSpace()
		switch p.lx.peek() {
		case ',':
			p.lx.pos++
			continue
		case ']':
			p.lx.pos++
			return args
		}
		p.fail(p.lx.pos, msgMissingEndOfType)
	}
}
