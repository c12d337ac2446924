package syntax

import (
	"errors"
	"fmt"
)

// ErrorKind tells a PowerShell syntax error from a construct winsim does not implement.
type ErrorKind int

const (
	// SyntaxError is a script Windows PowerShell 5.1 itself rejects; the message is 5.1's.
	SyntaxError ErrorKind = iota + 1
	// Unsupported is valid PowerShell that winsim's engine does not implement.
	Unsupported
)

// Sentinels for errors.Is.
var (
	ErrSyntax      = errors.New("PowerShell syntax error")
	ErrUnsupported = errors.New("construct not implemented by winsim's PowerShell")
)

// Error is a parse failure at a position. Parsing stops at the first one.
type Error struct {
	Pos     Pos
	Kind    ErrorKind
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (line %d, column %d)", e.Message, e.Pos.Line, e.Pos.Column)
}

// Is matches ErrSyntax or ErrUnsupported by kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrSyntax:
		return e.Kind == SyntaxError
	case ErrUnsupported:
		return e.Kind == Unsupported
	}
	return false
}

// bailout carries the first error up the parser's stack; Parse recovers it.
type bailout struct{ err *Error }

// unsupportedPrefix starts every Unsupported message.
const unsupportedPrefix = "winsim's PowerShell does not implement "

// Messages of Windows PowerShell 5.1's parser (ParserStrings), used with fmt.Sprintf.
const (
	msgUnexpectedToken         = "Unexpected token '%s' in expression or statement."
	msgInvalidEndOfLine        = "The token '%s' is not a valid statement separator in this version."
	msgAmpersandNotAllowed     = `The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks ("&") to pass it as part of a string.`
	msgRedirectionNotSupported = "The '%s' operator is reserved for future use."
	msgMissingFile             = "Missing file specification after redirection operator."
	msgStreamRedirected        = "The %s for this command is already redirected."
	msgEmptyPipeElement        = "An empty pipe element is not allowed."
	msgExpressionsFirst        = "Expressions are only allowed as the first element of a pipeline."
	msgMissingExpression       = "Missing expression after '%s' in pipeline element."
	msgMissingArgument         = "Missing argument in parameter list."
	msgParameterRequiresArg    = "Parameter %s requires an argument."
	msgInvalidLeftHandSide     = "The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property."
	msgExpectedValue           = "You must provide a value expression following the '%s' operator."
	msgMissingAfterUnary       = "Missing expression after unary operator '%s'."
	msgMissingAfterToken       = "Missing expression after '%s'."
	msgExpectedExpression      = "An expression was expected after '('."
	msgMissingEndParenExpr     = "Missing closing ')' in expression."
	msgMissingEndParenSub      = "Missing closing ')' in subexpression."
	msgMissingEndParenMethod   = "Missing ')' in method call."
	msgMissingIndex            = "Array index expression is missing or not valid."
	msgMissingEndBracket       = "Missing ']' after array index expression."
	msgMissingPropertyName     = "Missing property name after reference operator."
	msgMissingEndCurly         = "Missing closing '}' in statement block or type definition."
	msgMissingEquals           = "Missing '=' operator after key in hash literal."
	msgMissingHashStatement    = "Missing statement after '=' in hash literal."
	msgSplatInExpression       = "The splatting operator '@' cannot be used to reference variables in an expression. '@%s' can be used only as an argument to a command. To reference variables in an expression use '$%s'."
	msgSplatInList             = "Splatted variables like '@%s' cannot be part of a comma-separated list of arguments."
	msgOrderedOnlyOnHash       = "The ordered attribute can be specified only on a hash literal node."
	msgMissingTypename         = "Missing type name after '['."
	msgMissingEndOfType        = "Missing ] at end of type token."
	msgMissingEndOfAttribute   = "Missing ] at end of attribute or type literal."
	msgMissingOpenParenIf      = "Missing '(' after '%s' in if statement."
	msgIfMissingCondition      = "Missing condition in if statement after '%s ('."
	msgMissingEndParenAfter    = "Missing closing ')' after expression in '%s' statement."
	msgMissingStatementBlock   = "Missing statement block after %s ( condition )."
	msgMissingElseBlock        = "Missing statement block after 'else' keyword."
	msgMissingOpenParenKeyword = "Missing opening '(' after keyword '%s'."
	msgMissingLoopStatement    = "Missing statement body in %s loop."
	msgMissingWhileOrUntil     = "Missing while or until keyword in do loop."
	msgMissingForeachVariable  = "Missing variable name after foreach. The correct form is: foreach ($a in $b) {...}"
	msgMissingForeachIn        = "Missing 'in' after variable in foreach loop. The correct form is: foreach ($a in $b) {...}"
	msgMissingForeachExpr      = "Missing expression in foreach loop. The correct form is: foreach ($a in $b) {...}"
	msgMissingForeachEndParen  = "Missing closing ')' after expression part of foreach loop. The correct form is: foreach ($a in $b) {...}"
	msgMissingForeachBody      = "Missing statement body in foreach loop. The correct form is: foreach ($a in $b) {...}"
	msgMissingForEndParen      = "Missing closing ')' after expression in 'for' statement."
	msgMissingTryBlock         = "The Try statement is missing its statement block."
	msgMissingCatchOrFinally   = "The Try statement is missing its Catch or Finally block."
	msgMissingCatchBlock       = "The Catch block is missing its statement block."
	msgMissingFinallyBlock     = "The Finally block is missing its statement block."
	msgEmptyCatchNotLast       = "Catch block must be the last catch block."
	msgMissingFunctionName     = "Missing name after %s keyword."
	msgMissingFunctionBody     = "Missing function body in function declaration."
	msgMissingEndParenParams   = "Missing ')' in function parameter list."
	msgInvalidParameter        = "Parameter declarations are a comma-separated list of variable names with optional initializer expressions."
	msgReservedKeyword         = "The '%s' keyword is not supported in this version of the language."
	msgStringTerminator        = "The string is missing the terminator: %s."
	msgHereStringHeader        = "No characters are allowed after a here-string header but before the end of the line."
	msgMultiLineComment        = "The terminator '#>' is missing from the multiline comment."
	msgIncompleteString        = "Incomplete string token."
	msgBadNumber               = "The numeric constant %s is not valid."
	msgInvalidVariable         = "Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name."
	msgInvalidVariableDrive    = "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name."
	msgEmptyVariable           = "An empty ${} variable reference was found. A name is required inside the braces."
	msgIncompleteBraced        = "${variable} reference starting is missing the closing '}'."
	msgBraceInVariable         = "Open braces in a ${} variable reference must be escaped with a backtick (`{)."
	msgIncompleteSubexpression = "$(subexpression) is missing the closing ')'."
	msgUnrecognizedToken       = "Unrecognized token in source text."
)
